import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boot as bootAuth } from '@chat/auth';
import { boot as bootGateway } from '@chat/gateway';
import { boot as bootMedia } from '@chat/media';
import { type Stack, startStack } from '@chat/testkit';

/**
 * Auth and media behind a gateway, isolated for one test file. Media runs its embedded S3 store
 * on a free port with a folder of its own, removed afterwards.
 */
export interface MediaStack extends Stack {
  /** The embedded store's folder: objects are files under `<dir>/media/`. */
  s3Dir: string;
}

export async function startMediaStack(env: Record<string, string> = {}): Promise<MediaStack> {
  const s3Dir = mkdtempSync(join(tmpdir(), 'chat-media-s3-'));
  const removeDir = () => rmSync(s3Dir, { recursive: true, force: true });
  const stack = await startStack({
    gateway: bootGateway,
    services: { auth: bootAuth, media: bootMedia },
    env: { S3_EMBEDDED_DIR: s3Dir, S3_EMBEDDED_PORT: '0', ...env },
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
