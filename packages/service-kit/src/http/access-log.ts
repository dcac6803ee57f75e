import type { RequestHandler } from 'express';
import type { Logger } from '../logger.js';
import { routeTemplateOf } from './metrics.js';

export interface AccessLogOptions {
  /** ACCESS_LOG: `on` logs a line per request at info level. */
  enabled: boolean;
  /** ACCESS_LOG_SAMPLE: share of requests logged (0–1); a response ≥ 500 is always logged. */
  sample: number;
  /** Decides sampling (tests make it deterministic). */
  random?: () => number;
}

/**
 * One info line per finished request: method, route template (never the raw path, which holds
 * ids), status, duration, request id and the caller's user id when the request was authenticated
 * (the gateway's `res.locals.userId`, a service's verified claims).
 */
export function accessLog(logger: Logger, opts: AccessLogOptions): RequestHandler | undefined {
  if (!opts.enabled) return undefined;
  const random = opts.random ?? Math.random;
  return (req, res, next) => {
    const startedAt = performance.now();
    res.on('finish', () => {
      if (!logger.isInfoEnabled() || (res.statusCode < 500 && !(random() < opts.sample))) return;
      const userId = (res.locals.userId as string | undefined) ?? (res.locals.auth as { sub?: string } | undefined)?.sub;
      logger.info('request', {
        method: req.method,
        route: routeTemplateOf(req),
        status: res.statusCode,
        durationMs: Math.round((performance.now() - startedAt) * 10) / 10,
        requestId: res.getHeader('x-request-id'),
        ...(userId ? { userId } : {}),
      });
    });
    next();
  };
}
