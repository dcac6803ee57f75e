import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { streamNameFor } from '@chat/service-kit';
import pgPromise from 'pg-promise';
import { TEST_NATS_URL, TEST_REDIS_URL, connectNats } from './infra.js';
import { createClient } from 'redis';

const PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = TEST_REDIS_URL;
const NATS_URL = TEST_NATS_URL;

/**
 * One deployment's worth of isolation for a test file: its own database, Redis key prefix,
 * NATS subject prefix (and so its own stream) and data folder. Test files run in parallel without
 * seeing each other.
 */
export interface Isolation {
  id: string;
  env: Record<string, string>;
  dataDir: string;
  cleanup(): Promise<void>;
}

export function createIsolation(): Isolation {
  const id = `t${randomBytes(5).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), `chat-${id}-`));
  const database = `chat_test_${id}`;
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: PG_ADMIN_URL.replace(/\/[^/]*$/, `/${database}`),
    DB_POOL_SIZE: '5',
    REDIS_URL,
    REDIS_PREFIX: `${id}:`,
    NATS_URL,
    NATS_PREFIX: `${id}.`,
    BCRYPT_COST: '4',
    AUTH_KEYS_DIR: join(dataDir, 'keys'),
    MAILBOX_DIR: join(dataDir, 'mailbox'),
    SMS_OUTBOX_DIR: join(dataDir, 'sms'),
    SECRETS_DIR: join(dataDir, 'secrets'),
    SHUTDOWN_TIMEOUT_MS: '1000',
  };
  return {
    id,
    env,
    dataDir,
    async cleanup() {
      await Promise.allSettled([dropDatabase(database), deleteRedisKeys(`${id}:`), deleteStream(streamNameFor(`${id}.`))]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function dropDatabase(name: string): Promise<void> {
  const pgp = pgPromise({ noWarnings: true });
  const db = pgp({ connectionString: PG_ADMIN_URL, max: 1 });
  try {
    await db.none('DROP DATABASE IF EXISTS $1:name WITH (FORCE)', [name]);
  } finally {
    await db.$pool.end();
  }
}

async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = createClient({ url: REDIS_URL });
  await redis.connect();
  try {
    for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
      if (keys.length) await redis.del(keys);
    }
  } finally {
    await redis.close();
  }
}

async function deleteStream(name: string): Promise<void> {
  const nc = await connectNats(NATS_URL);
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(name).catch(() => false);
  } finally {
    await nc.close();
  }
}
