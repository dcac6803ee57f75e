import type { Request, RequestHandler, Response } from 'express';
import { type Counter, Histogram, type Registry } from 'prom-client';
import { rateLimitRefusalOf, rateLimitRefusals } from '../rate-limit.js';

/** The route template a request matched (`/chats/:id`), never its raw path: ids would explode the label set. */
export function routeTemplateOf(req: Request): string {
  return req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
}

/** Request latency by route and status, and requests refused by a rate limiter, on `registry`. */
export function httpMetricsMiddleware(registry: Registry): RequestHandler {
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const refusals = rateLimitRefusals(registry);
  return (req, res, next) => {
    const end = duration.startTimer();
    res.on('finish', () => {
      end({ method: req.method, route: routeTemplateOf(req), status: String(res.statusCode) });
      countRefusal(refusals, res);
    });
    next();
  };
}

function countRefusal(refusals: Counter<'limit'>, res: Response): void {
  const limit = rateLimitRefusalOf(res);
  if (limit !== undefined) refusals.inc({ limit });
}
