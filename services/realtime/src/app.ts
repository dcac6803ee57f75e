import {
  type BootFn,
  DependencyError,
  RedisKeys,
  RevocationList,
  type ServiceHandle,
  accessLogOf,
  connectBus,
  connectRedis,
  createHttpApp,
  createLogger,
  createRemoteVerifier,
  createRouteMounter,
  clientAddressOf,
  natsCredentials,
  opsPortFor,
  redactUrl,
  redisUrlFor,
} from '@chat/service-kit';
import { type RealtimeConfig, loadRealtimeConfig } from './config.js';
import type { RealtimeDeps } from './deps.js';
import { mountEndpointRoutes } from './entry/endpoints.routes.js';
import { createRealtimeMetrics } from './metrics.js';
import { type RealtimeNode, createRealtimeNode } from './node.js';

export const SERVICE = 'realtime';

export type RealtimeConnections = Pick<RealtimeDeps, 'logger' | 'bus' | 'redis'>;

/** The node and its ops endpoints. It keeps no data of its own: all shared state is in NATS and Redis. */
export function createService(connections: RealtimeConnections, config: RealtimeConfig): ServiceHandle & { node: RealtimeNode } {
  const { logger, bus, redis } = connections;
  const keys = new RedisKeys(config.REDIS_PREFIX);
  const revocations = new RevocationList(redis, keys);
  let node: RealtimeNode | undefined;
  const metrics = createRealtimeMetrics({
    sockets: () => node?.sizes().sockets ?? { ready: 0, pending: 0, bufferedBytes: 0 },
    subscriptions: () => node?.sizes().subscriptions ?? { chat: 0, user: 0, presence: 0 },
  });
  const deps: RealtimeDeps = { config, logger, bus, redis, keys, revocations, verifier: createRemoteVerifier(bus, revocations), metrics };
  const app = createHttpApp({
    service: SERVICE,
    logger,
    bodyLimit: config.BODY_LIMIT,
    trustProxy: config.TRUST_PROXY,
    readiness: {
      redis: () => redis.ping(),
      nats: () => (bus.nc.isClosed() ? Promise.reject(new Error('closed')) : bus.nc.flush()),
    },
    registry: bus.registry,
    metrics: (registry) => metrics.register(registry),
    accessLog: accessLogOf(config),
    metricsPublic: config.METRICS_PUBLIC,
    routes: (app) => mountEndpointRoutes(createRouteMounter(app, { validateResponses: config.VALIDATE_RESPONSES ?? config.NODE_ENV !== 'production' }), deps),
  });
  // Upgrades see the client address as the app's HTTP requests do (same TRUST_PROXY).
  node = createRealtimeNode(deps, clientAddressOf(app));
  return { app, node, start: node.start, stop: node.stop, attach: node.attach };
}

/** Reads config from `env`, connects to Redis and NATS (no database), and builds the node. */
export const boot: BootFn = async (env) => {
  const config = loadRealtimeConfig(env);
  const logger = createLogger(SERVICE, config.LOG_LEVEL);
  const redisUrl = redisUrlFor(config);
  const redis = await connectRedis(redisUrl).catch((err: Error) => {
    throw new DependencyError(`Redis unreachable at ${redactUrl(redisUrl)}: ${err.message}`);
  });
  const bus = await connectBus({
    url: config.NATS_URL,
    prefix: config.NATS_PREFIX,
    service: SERVICE,
    logger,
    credentials: natsCredentials(SERVICE, config),
  }).catch((err: Error) => {
    throw new DependencyError(`NATS unreachable at ${config.NATS_URL}: ${err.message}`);
  });
  return {
    handle: createService({ logger, bus, redis }, config),
    logger,
    port: config.PORT,
    opsPort: opsPortFor(config),
    host: config.HOST,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    close: async () => {
      await bus.nc.drain().catch(() => {});
      await redis.close().catch(() => {});
    },
  };
};
