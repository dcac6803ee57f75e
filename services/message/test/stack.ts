import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boot as bootAuth } from '@chat/auth';
import { boot as bootChat } from '@chat/chat';
import { boot as bootGateway } from '@chat/gateway';
import { boot as bootMedia } from '@chat/media';
import { boot as bootUser } from '@chat/user';
import { type Stack, startStack } from '@chat/testkit';
import { boot as bootMessage } from '../src/app.js';

export const ADMIN_KEY = 'platform-admin-key-for-message-tests-01';

/** Auth, user, chat and message (with `media`, the media service too) behind a gateway, isolated for one test file. */
export async function startMessageStack(env: Record<string, string> = {}, opts: { media?: boolean } = {}): Promise<Stack> {
  const s3Dir = opts.media ? mkdtempSync(join(tmpdir(), 'chat-message-s3-')) : undefined;
  const services = { auth: bootAuth, user: bootUser, chat: bootChat, message: bootMessage, ...(opts.media ? { media: bootMedia } : {}) };
  const stack = await startStack({
    gateway: bootGateway,
    services,
    env: {
      PLATFORM_ADMIN_KEY: ADMIN_KEY,
      RATE_LIMIT_REGISTER_PER_HOUR: '10000',
      RATE_LIMIT_LOGIN_PER_MINUTE: '10000',
      RATE_LIMIT_USER_PER_MINUTE: '100000',
      ...(s3Dir ? { S3_EMBEDDED_DIR: s3Dir, S3_EMBEDDED_PORT: '0' } : {}),
      ...env,
    },
  });
  if (!s3Dir) return stack;
  return { ...stack, stop: () => stack.stop().finally(() => rmSync(s3Dir, { recursive: true, force: true })) };
}
