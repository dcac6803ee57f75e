import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boot as bootAuth } from '@chat/auth';
import { boot as bootChat } from '@chat/chat';
import { boot as bootGateway } from '@chat/gateway';
import { boot as bootMedia } from '@chat/media';
import { boot as bootUser } from '@chat/user';
import { type Stack, startStack } from '@chat/testkit';

export const ADMIN_KEY = 'platform-admin-key-for-media-tests-01';

/**
 * Auth and media behind a gateway, isolated for one test file; with `social`, the user and chat
 * services too (chat membership and profile privacy decide who else may read a media). Media
 * runs its embedded S3 store on a free port with a folder of its own, removed afterwards.
 */
export interface MediaStack extends Stack {
  /** The embedded store's folder: objects are files under `<dir>/media/`. */
  s3Dir: string;
}

export async function startMediaStack(env: Record<string, string> = {}, opts: { social?: boolean } = {}): Promise<MediaStack> {
  const s3Dir = mkdtempSync(join(tmpdir(), 'chat-media-s3-'));
  const removeDir = () => rmSync(s3Dir, { recursive: true, force: true });
  const stack = await startStack({
    gateway: bootGateway,
    services: opts.social ? { auth: bootAuth, user: bootUser, chat: bootChat, media: bootMedia } : { auth: bootAuth, media: bootMedia },
    env: { S3_EMBEDDED_DIR: s3Dir, S3_EMBEDDED_PORT: '0', PLATFORM_ADMIN_KEY: ADMIN_KEY, ...env },
  }).catch((err: unknown) => {
    removeDir();
    throw err;
  });
  return {
    ...stack,
    s3Dir,
    async stop() {
      await stack.stop();
      removeDir();
    },
  };
}
