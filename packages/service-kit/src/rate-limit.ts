import type { Request, RequestHandler, Response } from 'express';
import { rateLimit, ipKeyGenerator } from 'express-rate-limit';
import { Counter, type Registry } from 'prom-client';
import { RedisStore } from 'rate-limit-redis';
import { RateLimitedError } from './errors.js';
import { metricOn } from './metrics.js';
import type { RedisClient, RedisKeys } from './redis.js';

export interface LimitRule {
  /** Requests allowed per window. */
  limit: number;
  windowMs: number;
}

export interface LimiterOptions {
  /** Names the limiter's Redis keys, and its refusals unless `label` is given. */
  name: string;
  /** The `limit` label of its refusals in `rate_limit_refusals_total` (the rule's name in the service's limit table). */
  label?: string;
  rule: LimitRule;
  /** What is limited: defaults to the client IP (X-Forwarded-For only from trusted proxies). */
  key?: (req: Request) => string;
  /** Count only failed requests (status ≥ 400), e.g. login attempts. */
  countFailuresOnly?: boolean;
}

const REFUSED_BY = Symbol('rate limit refusal');

/**
 * Marks the response as refused by the limit named `limit`: the HTTP app counts it in
 * `rate_limit_refusals_total{limit}` when the response is sent. Any limiter refusing an HTTP
 * request calls this (createLimiter does).
 */
export function markRateLimitRefusal(res: Response, limit: string): void {
  (res.locals as Record<symbol, string>)[REFUSED_BY] = limit;
}

export function rateLimitRefusalOf(res: Response): string | undefined {
  return (res.locals as Record<symbol, string | undefined>)[REFUSED_BY];
}

/**
 * `rate_limit_refusals_total{limit}` of a service instance. HTTP refusals are counted by the HTTP
 * app (see `markRateLimitRefusal`); a limiter outside HTTP (a socket's op budget) counts here itself.
 */
export function rateLimitRefusals(registry: Registry): Counter<'limit'> {
  return metricOn(
    registry,
    'rate_limit_refusals_total',
    (registers) => new Counter({ name: 'rate_limit_refusals_total', help: 'Requests refused by a rate limiter, by limit', labelNames: ['limit'], registers }),
  );
}

export function clientIpKey(req: Request): string {
  return ipKeyGenerator(req.ip ?? 'unknown');
}

/** express-rate-limit over Redis (shared by replicas); 429 problem+json with Retry-After and RateLimit headers. */
export function createLimiter(redis: RedisClient, keys: RedisKeys, opts: LimiterOptions): RequestHandler {
  return rateLimit({
    windowMs: opts.rule.windowMs,
    limit: opts.rule.limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    identifier: opts.name,
    skipSuccessfulRequests: opts.countFailuresOnly ?? false,
    keyGenerator: opts.key ?? clientIpKey,
    store: new RedisStore({
      prefix: keys.key('rl', opts.name, ''),
      sendCommand: (...args: string[]) => redis.sendCommand(args),
    }),
    handler: (req, res, next) => {
      markRateLimitRefusal(res, opts.label ?? opts.name);
      const reset = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime?.getTime() ?? Date.now() + opts.rule.windowMs;
      next(new RateLimitedError((reset - Date.now()) / 1000));
    },
  });
}
