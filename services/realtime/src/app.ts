import {
  accessLogOf,
  type BootFn,
  clientAddressOf,
  connectRedisAndBus,
  createHttpApp,
  createLogger,
  createRemoteVerifier,
  createRouteMounter,
  opsPortFor,
  RedisKeys,
  RevocationList,
  type ServiceHandle,
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
  const { redis, bus } = await connectRedisAndBus(config, SERVICE, logger);
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
