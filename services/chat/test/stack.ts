import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boot as bootAuth } from '@chat/auth';
import { boot as bootChat } from '@chat/chat';
import { boot as bootGateway } from '@chat/gateway';
import { boot as bootMedia } from '@chat/media';
import { boot as bootUser } from '@chat/user';
import { type Stack, startStack } from '@chat/testkit';

export const ADMIN_KEY = 'platform-admin-key-for-chat-tests-01';

/**
 * Auth, user and chat behind a gateway, isolated for one test file; with `media`, the media
 * service too (it vouches for chat pictures), its embedded S3 store on a free port with a folder
 * of its own, removed afterwards.
 */
export async function startChatStack(env: Record<string, string> = {}, opts: { media?: boolean } = {}): Promise<Stack> {
  const s3Dir = opts.media ? mkdtempSync(join(tmpdir(), 'chat-chat-s3-')) : undefined;
  const removeDir = () => s3Dir && rmSync(s3Dir, { recursive: true, force: true });
  const stack = await startStack({
    gateway: bootGateway,
    services: { auth: bootAuth, user: bootUser, chat: bootChat, ...(opts.media ? { media: bootMedia } : {}) },
    env: {
      PLATFORM_ADMIN_KEY: ADMIN_KEY,
      RATE_LIMIT_REGISTER_PER_HOUR: '10000',
      RATE_LIMIT_LOGIN_PER_MINUTE: '10000',
      RATE_LIMIT_USER_PER_MINUTE: '100000',
      ...(s3Dir ? { S3_EMBEDDED_DIR: s3Dir, S3_EMBEDDED_PORT: '0', RATE_LIMIT_UPLOAD_PER_MINUTE: '10000' } : {}),
      ...env,
    },
  }).catch((err: unknown) => {
    removeDir();
    throw err;
  });
  return {
    ...stack,
    async stop() {
      await stack.stop();
      removeDir();
    },
  };
}
