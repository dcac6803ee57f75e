import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { Registry } from 'prom-client';
import { withRequestContext, requestIdFrom } from '../context.js';
import type { Logger } from '../logger.js';
import { createServiceRegistry } from '../metrics.js';
import { type AccessLogOptions, accessLog } from './access-log.js';
import { httpMetricsMiddleware } from './metrics.js';
import { type ReadinessCheck, mountOpsRoutes } from './ops.js';
import { errorHandler, notFoundHandler } from './problem.js';

export interface HttpAppOptions {
  service: string;
  logger: Logger;
  bodyLimit: string;
  trustProxy: string;
  readiness: Record<string, ReadinessCheck>;
  /** Parse JSON bodies (the gateway streams them through instead). */
  parseJson?: boolean;
  /** Replaces the default `/health` body (the gateway reports every service there). */
  health?: () => Promise<{ status: number; body: unknown }>;
  /** Adds the service's own routes, between the common middleware and the 404/error handlers. */
  routes: (app: Express) => void;
  /** The service instance's registry (the platform's, the bus's): its `/metrics`. Default: a new one. */
  registry?: Registry;
  /** Registers the service's own metrics beside the HTTP ones (served on `/metrics`). */
  metrics?: (registry: Registry) => void;
  /** ACCESS_LOG and ACCESS_LOG_SAMPLE; default: every request logged at info level. */
  accessLog?: AccessLogOptions;
  /** Serve `/metrics` on the main port as well as on the ops listener (METRICS_PUBLIC). */
  metricsPublic?: boolean;
}

const opsApps = new WeakMap<Express, Express>();

/**
 * The ops app built beside a main app: `/health`, `/ready` and `/metrics`, for the process's own
 * ops listener (OPS_PORT), which operators and Prometheus reach and clients never do.
 */
export function opsAppOf(app: Express): Express | undefined {
  return opsApps.get(app);
}

const requestId: RequestHandler = (req, res, next) => {
  const id = requestIdFrom(req.headers['x-request-id']);
  res.setHeader('x-request-id', id);
  withRequestContext({ requestId: id }, next);
};

function parseTrustProxy(value: string): boolean | string | number {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

export function createHttpApp(opts: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', parseTrustProxy(opts.trustProxy));
  const registry = opts.registry ?? createServiceRegistry(opts.service);
  opts.metrics?.(registry);
  app.use(requestId);
  app.use(httpMetricsMiddleware(registry));
  const log = accessLog(opts.logger, opts.accessLog ?? { enabled: true, sample: 1 });
  if (log) app.use(log);
  app.use(helmet());
  if (opts.parseJson !== false) app.use(express.json({ limit: opts.bodyLimit, type: ['application/json', 'application/*+json'] }));
  const ops = { service: opts.service, registry, checks: opts.readiness, health: opts.health };
  mountOpsRoutes(app, ops, opts.metricsPublic ?? false);
  opts.routes(app);
  app.use(notFoundHandler);
  app.use(errorHandler(opts.logger));

  const opsApp = express();
  opsApp.disable('x-powered-by');
  mountOpsRoutes(opsApp, ops);
  opsApp.use(notFoundHandler);
  opsApp.use(errorHandler(opts.logger));
  opsApps.set(app, opsApp);
  return app;
}
