import type { Server } from 'node:http';
import { type RouteDef, allRoutes, buildAsyncApiDocument, buildOpenApiDocument } from '@chat/contracts';
import {
  accessLogOf,
  AppError,
  type BootFn,
  type Bus,
  connectRedisAndBus,
  createHttpApp,
  createLogger,
  createRemoteVerifier,
  type Logger,
  opsPortFor,
  type RedisClient,
  RedisKeys,
  RevocationList,
  type ServiceHandle,
} from '@chat/service-kit';
import cors from 'cors';
import type { Express, RequestHandler } from 'express';
import swaggerUi from 'swagger-ui-express';
import { requireAppCredentials } from './app-credentials.js';
import { type GatewayConfig, loadGatewayConfig } from './config.js';
import { healthReport } from './health.js';
import { createServiceProxy, createWebSocketProxy, forwardClientAddress, upstreamErrorCounter } from './proxy.js';
import { type LimitName, buildLimiters } from './rate-limits.js';
import { compareRoutes } from './routing.js';
import { reportedServices, serviceUrls } from './services.js';

export const API_PREFIX = '/api/v1';

export interface GatewayDeps {
  config: GatewayConfig;
  logger: Logger;
  redis: RedisClient;
  bus: Bus;
  /** Defaults to every route of the contract. */
  routes?: RouteDef[];
}

function corsOptions(origins: string): cors.CorsOptions {
  const list = origins
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  return {
    origin: list.includes('*') ? '*' : list,
    exposedHeaders: ['x-request-id', 'retry-after', 'ratelimit', 'ratelimit-policy'],
    maxAge: 600,
  };
}

/** Swagger UI needs inline styles; everything else keeps helmet's strict policy. */
const docsCsp: RequestHandler = (_req, res, next) => {
  res.setHeader('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'");
  next();
};

/**
 * Refuses a body whose declared length is over `maxBytes` before it is streamed to a service.
 * (A chunked body has no declared length; the service enforces its own limit while reading.)
 */
function bodyCap(maxBytes: number): RequestHandler {
  return (req, _res, next) => {
    const length = Number(req.headers['content-length'] ?? 0);
    if (length > maxBytes) throw new AppError(413, 'payload_too_large', `body is larger than ${maxBytes} bytes`);
    next();
  };
}

export function createService(deps: GatewayDeps): ServiceHandle {
  const { config, logger, redis, bus } = deps;
  const keys = new RedisKeys(config.REDIS_PREFIX);
  const verifier = createRemoteVerifier(bus, new RevocationList(redis, keys));
  const limiters = buildLimiters(redis, keys, config);
  const urls = serviceUrls(config);
  const reported = reportedServices(deps.routes ?? allRoutes, ['realtime']);
  const routes = [...(deps.routes ?? allRoutes)].sort(compareRoutes);
  const openApi = buildOpenApiDocument(routes);
  const asyncApi = buildAsyncApiDocument();
  const upstreamErrors = upstreamErrorCounter(bus.registry);
  const proxies = new Map<string, RequestHandler>();
  const proxyFor = (service: RouteDef['service']) => {
    const target = urls[service];
    if (!proxies.has(service))
      proxies.set(
        service,
        createServiceProxy({ service, target, timeoutMs: config.PROXY_TIMEOUT_MS, logger, errors: upstreamErrors, stripPrefix: API_PREFIX }),
      );
    return proxies.get(service)!;
  };
  const wsProxy = createWebSocketProxy(urls.realtime, '/ws', logger, upstreamErrors);

  const appCredentials = requireAppCredentials(bus, config.RPC_TIMEOUT_MS);
  const authenticate: RequestHandler = async (req, res, next) => {
    const claims = await verifier.authenticate(req);
    res.locals.userId = claims.sub;
    next();
  };

  const app: Express = createHttpApp({
    service: 'gateway',
    logger,
    bodyLimit: config.BODY_LIMIT,
    trustProxy: config.TRUST_PROXY,
    parseJson: false,
    registry: bus.registry,
    accessLog: accessLogOf(config),
    metricsPublic: config.METRICS_PUBLIC,
    readiness: {
      redis: () => redis.ping(),
      nats: () => (bus.nc.isClosed() ? Promise.reject(new Error('closed')) : bus.nc.flush()),
    },
    health: () => healthReport(urls, reported),
    routes: (app) => {
      app.use(cors(corsOptions(config.CORS_ORIGINS)));
      app.get('/openapi.json', (_req, res) => {
        res.json(openApi);
      });
      app.get('/asyncapi.json', (_req, res) => {
        res.json(asyncApi);
      });
      app.use('/docs', docsCsp, swaggerUi.serve, swaggerUi.setup(undefined, { swaggerOptions: { url: '/openapi.json' } }));
      app.get('/.well-known/jwks.json', proxyFor('auth'));
      app.use('/ws', wsProxy);
      for (const route of routes) {
        const chain: RequestHandler[] = [bodyCap(route.multipartFile ? config.MAX_UPLOAD_BYTES : config.MAX_BODY_BYTES)];
        if (route.access === 'user') chain.push(authenticate, limiters.user);
        else if (route.access === 'app') chain.push(limiters.serverKeyFailures, appCredentials);
        else chain.push(limiters.ip);
        if (route.rateLimit) {
          const limiter = limiters[route.rateLimit as LimitName];
          if (!limiter) throw new Error(`route ${route.path} names an unknown rate limit ${route.rateLimit}`);
          chain.push(limiter);
        }
        app[route.method](API_PREFIX + route.path, ...chain, proxyFor(route.service));
      }
    },
  });

  return {
    app,
    async start() {},
    async stop() {},
    attach(server: Server) {
      const upgraded = new Set<import('node:stream').Duplex>();
      server.on('upgrade', (req, socket, head) => {
        if (req.url?.split('?')[0] !== '/ws') return socket.destroy();
        upgraded.add(socket);
        socket.once('close', () => upgraded.delete(socket));
        forwardClientAddress(app, req);
        wsProxy.upgrade(req, socket as import('node:net').Socket, head);
      });
      // close() waits for upgraded sockets, which closeAllConnections() does not reach: cut them
      // as it starts (clients reconnect to another gateway and sync).
      const close = server.close.bind(server);
      server.close = ((callback?: (err?: Error) => void) => {
        for (const socket of upgraded) socket.destroy();
        return close(callback);
      }) as typeof server.close;
    },
  };
}

/** Reads config from `env`, connects to Redis and NATS, and builds the gateway. */
export const boot: BootFn = async (env) => {
  const config = loadGatewayConfig(env);
  const logger = createLogger('gateway', config.LOG_LEVEL);
  const { redis, bus } = await connectRedisAndBus(config, 'gateway', logger);
  return {
    handle: createService({ config, logger, redis, bus }),
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
