import { type BaseConfig, opsPortFor, redisUrlFor } from './config.js';
import { natsCredentials } from './local-infra.js';
import type { BootFn, ServiceHandle } from './lifecycle.js';
import { RevocationList } from './auth/revocation.js';
import { type Bus, connectBus, ensureEventStream } from './bus/bus.js';
import { OutboxRelay } from './bus/outbox.js';
import { type Db, type Executor, createDatabase, ensureDatabase } from './db/database.js';
import { KIT_MIGRATIONS_DIR, type MigrationSet, migrate, migrationsApplied } from './db/migrate.js';
import type { ReadinessCheck } from './http/ops.js';
import { type Logger, createLogger } from './logger.js';
import { type RedisClient, RedisKeys, connectRedis } from './redis.js';
import type { Registry } from 'prom-client';
import { createServiceRegistry } from './metrics.js';
import { registerPlatformMetrics } from './platform-metrics.js';

export interface PlatformOptions {
  /** Service name: also its PostgreSQL schema and NATS queue group. */
  service: string;
  config: BaseConfig;
  migrationsDir: string;
  logger?: Logger;
  /** Start the outbox relay (tests turn it off to simulate a crash before publish). */
  startRelay?: boolean;
}

/** The connections and shared machinery a service is built on. */
export interface Platform {
  service: string;
  config: BaseConfig;
  logger: Logger;
  db: Db;
  redis: RedisClient;
  keys: RedisKeys;
  bus: Bus;
  outbox: OutboxRelay;
  revocations: RevocationList;
  /** The service instance's metrics, served on its ops listener's `/metrics` (the bus reports here too). */
  registry: Registry;
  readiness: Record<string, ReadinessCheck>;
  /** Runs `fn` in a transaction and, after commit, has the relay publish the events it recorded. */
  tx<T>(fn: (t: Executor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export class DependencyError extends Error {}

async function step<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new DependencyError(`${what}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export async function openPlatform(opts: PlatformOptions): Promise<Platform> {
  const { config, service } = opts;
  const logger = opts.logger ?? createLogger(service, config.LOG_LEVEL);
  const migrationSets: MigrationSet[] = [
    { source: 'kit', dir: KIT_MIGRATIONS_DIR },
    { source: service, dir: opts.migrationsDir },
  ];
  await step(`PostgreSQL unreachable at ${redactUrl(config.DATABASE_URL)}`, () => ensureDatabase(config.DATABASE_URL));
  const db = createDatabase(config.DATABASE_URL, service, config.DB_POOL_SIZE);
  await step('migrations failed', () => migrate(db, service, migrationSets, logger));
  const registry = createServiceRegistry(service);
  registerPlatformMetrics(registry, db);
  const redisUrl = redisUrlFor(config);
  const redis = await step(`Redis unreachable at ${redactUrl(redisUrl)}`, () => connectRedis(redisUrl));
  const bus = await step(`NATS unreachable at ${config.NATS_URL}`, () =>
    connectBus({ url: config.NATS_URL, prefix: config.NATS_PREFIX, service, logger, credentials: natsCredentials(service, config), registry }),
  );
  await step('JetStream stream set-up failed (is JetStream enabled? run nats-server with -js)', () => ensureEventStream(bus));
  const keys = new RedisKeys(config.REDIS_PREFIX);
  const outbox = new OutboxRelay(db, bus, logger);
  if (opts.startRelay !== false) outbox.start();

  return {
    service,
    config,
    logger,
    db,
    redis,
    keys,
    bus,
    outbox,
    revocations: new RevocationList(redis, keys),
    registry,
    readiness: {
      postgres: () => db.one('SELECT 1'),
      redis: () => redis.ping(),
      nats: () => (bus.nc.isClosed() ? Promise.reject(new Error('closed')) : bus.nc.flush()),
      migrations: async () => {
        if (!(await migrationsApplied(db, service, migrationSets))) throw new Error('pending migrations');
      },
    },
    async tx(fn) {
      const result = await db.tx(fn);
      outbox.kick();
      return result;
    },
    async close() {
      await outbox.stop();
      await bus.nc.drain().catch(() => {});
      await db.$pool.end();
      await redis.close().catch(() => {});
    },
  };
}

/** Redis and NATS for a process without a database of its own (the gateway, a realtime node). */
export async function connectRedisAndBus(config: BaseConfig, service: string, logger: Logger): Promise<{ redis: RedisClient; bus: Bus }> {
  const redisUrl = redisUrlFor(config);
  const redis = await step(`Redis unreachable at ${redactUrl(redisUrl)}`, () => connectRedis(redisUrl));
  try {
    const bus = await step(`NATS unreachable at ${config.NATS_URL}`, () =>
      connectBus({ url: config.NATS_URL, prefix: config.NATS_PREFIX, service, logger, credentials: natsCredentials(service, config) }),
    );
    return { redis, bus };
  } catch (err) {
    await redis.close().catch(() => {});
    throw err;
  }
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(invalid url)';
  }
}

export interface BootServiceOptions<C extends BaseConfig> {
  service: string;
  loadConfig: (env: Record<string, string | undefined>) => C;
  migrationsDir: string;
  create: (platform: Platform, config: C) => ServiceHandle;
}

/** The usual `boot(env)`: parse config, open the platform (migrating the schema), build the service. */
export function bootService<C extends BaseConfig & { PORT: number }>(opts: BootServiceOptions<C>): BootFn {
  return async (env) => {
    const config = opts.loadConfig(env);
    const logger = createLogger(opts.service, config.LOG_LEVEL);
    const platform = await openPlatform({ service: opts.service, config, migrationsDir: opts.migrationsDir, logger });
    return {
      handle: opts.create(platform, config),
      logger,
      port: config.PORT,
      opsPort: opsPortFor(config),
      host: config.HOST,
      shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
      close: () => platform.close(),
    };
  };
}
