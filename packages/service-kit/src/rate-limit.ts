import type { Request, RequestHandler } from 'express';
import { rateLimit, ipKeyGenerator } from 'express-rate-limit';
import { RedisStore } from 'rate-limit-redis';
import { RateLimitedError } from './errors.js';
import type { RedisClient, RedisKeys } from './redis.js';

export interface LimitRule {
  /** Requests allowed per window. */
  limit: number;
  windowMs: number;
}

export interface LimiterOptions {
  name: string;
  rule: LimitRule;
  /** What is limited: defaults to the client IP (X-Forwarded-For only from trusted proxies). */
  key?: (req: Request) => string;
  /** Count only failed requests (status ≥ 400), e.g. login attempts. */
  countFailuresOnly?: boolean;
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
    handler: (req, _res, next) => {
      const reset = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime?.getTime() ?? Date.now() + opts.rule.windowMs;
      next(new RateLimitedError((reset - Date.now()) / 1000));
    },
  });
}
