import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boot as bootAuth } from '@chat/auth';
import { boot as bootChat } from '@chat/chat';
import { boot as bootGateway } from '@chat/gateway';
import { boot as bootMedia } from '@chat/media';
import { boot as bootMessage } from '@chat/message';
import { boot as bootUser } from '@chat/user';
import { type Stack, startStack } from '@chat/testkit';

export const ADMIN_KEY = 'platform-admin-key-for-user-tests-01';

/**
 * Auth, user and media (which vouches for avatars) behind a gateway, isolated for one test file;
 * with `messaging`, chat and message too (the data export asks them for chats and messages).
 * Media's embedded S3 store gets a free port and a folder of its own, removed afterwards.
 */
export async function startUserStack(env: Record<string, string> = {}, opts: { messaging?: boolean } = {}): Promise<Stack> {
  const s3Dir = mkdtempSync(join(tmpdir(), 'chat-user-s3-'));
  const removeDir = () => rmSync(s3Dir, { recursive: true, force: true });
  const stack = await startStack({
    gateway: bootGateway,
    services: { auth: bootAuth, media: bootMedia, user: bootUser, ...(opts.messaging ? { chat: bootChat, message: bootMessage } : {}) },
    env: {
      PLATFORM_ADMIN_KEY: ADMIN_KEY,
      RATE_LIMIT_REGISTER_PER_HOUR: '10000',
      RATE_LIMIT_LOGIN_PER_MINUTE: '10000',
      RATE_LIMIT_UPLOAD_PER_MINUTE: '10000',
      S3_EMBEDDED_DIR: s3Dir,
      S3_EMBEDDED_PORT: '0',
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
