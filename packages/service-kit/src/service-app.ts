import type { Express } from 'express';
import type { Registry } from 'prom-client';
import type { TokenVerifier } from './auth/verifier.js';
import { accessLogOf } from './config.js';
import { createHttpApp } from './http/app.js';
import type { ReadinessCheck } from './http/ops.js';
import { type MountRoute, createRouteMounter } from './http/routes.js';
import type { ServiceHandle } from './lifecycle.js';
import type { Platform } from './platform.js';

export interface ServiceAppOptions {
  verifier: TokenVerifier;
  /** Checks besides PostgreSQL, Redis, NATS and migrations (e.g. an object store). */
  readiness?: Record<string, ReadinessCheck>;
  /** Mounts the service's routes; `app` is there for the rare non-contract route. */
  routes: (mount: MountRoute, app: Express) => void;
  /** Registers the service's own metrics (gauges, counters) on its `/metrics` registry. */
  metrics?: (registry: Registry) => void;
}

/** A service's HTTP app on its platform: the common middleware, ops routes and contract mounting. */
export function createServiceApp(platform: Platform, opts: ServiceAppOptions): Express {
  const { config } = platform;
  return createHttpApp({
    service: platform.service,
    logger: platform.logger,
    bodyLimit: config.BODY_LIMIT,
    trustProxy: config.TRUST_PROXY,
    readiness: { ...platform.readiness, ...opts.readiness },
    registry: platform.registry,
    metrics: opts.metrics,
    accessLog: accessLogOf(config),
    metricsPublic: config.METRICS_PUBLIC,
    routes: (app) => {
      const mount = createRouteMounter(app, {
        authenticate: (req) => opts.verifier.authenticate(req),
        validateResponses: config.VALIDATE_RESPONSES ?? config.NODE_ENV !== 'production',
      });
      opts.routes(mount, app);
    },
  });
}

/** Something running in the background: an rpc subscription, a consumer, a timer. */
export type BackgroundTask = { unsubscribe(): unknown } | { stop(): unknown };

/** `start`/`stop` of a service's background work: `start` returns what `stop` must end. */
export function backgroundTasks(start: () => Promise<BackgroundTask[]>): Pick<ServiceHandle, 'start' | 'stop'> {
  let running: BackgroundTask[] = [];
  return {
    async start() {
      running = await start();
    },
    async stop() {
      const tasks = running;
      running = [];
      await Promise.all(tasks.map((task) => ('unsubscribe' in task ? task.unsubscribe() : task.stop())));
    },
  };
}
