import { type LimitRule, type RedisClient, type RedisKeys, clientIpKey, createLimiter } from '@chat/service-kit';
import type { Request, RequestHandler } from 'express';
import type { GatewayConfig } from './config.js';

const MINUTE = 60_000;

/** Every request-rate limit of the public API, in one place. */
export function gatewayLimitRules(c: GatewayConfig) {
  return {
    /** Each authenticated user, over all routes. */
    user: { limit: c.RATE_LIMIT_USER_PER_MINUTE, windowMs: MINUTE },
    /** Each client IP, over the routes that take no access token. */
    ip: { limit: c.RATE_LIMIT_IP_PER_MINUTE, windowMs: MINUTE },
    /** Failed API key checks per client IP on the server routes (a made-up key costs a check). */
    serverKeyFailures: { limit: c.RATE_LIMIT_SERVER_KEY_FAILURES_PER_MINUTE, windowMs: MINUTE },
    register: { limit: c.RATE_LIMIT_REGISTER_PER_HOUR, windowMs: 60 * MINUTE },
    login: { limit: c.RATE_LIMIT_LOGIN_PER_MINUTE, windowMs: MINUTE },
    refresh: { limit: c.RATE_LIMIT_REFRESH_PER_MINUTE, windowMs: MINUTE },
    mail: { limit: c.RATE_LIMIT_MAIL_PER_HOUR, windowMs: 60 * MINUTE },
    sensitive: { limit: c.RATE_LIMIT_SENSITIVE_PER_15_MINUTES, windowMs: 15 * MINUTE },
    server: { limit: c.RATE_LIMIT_SERVER_PER_MINUTE, windowMs: MINUTE },
    /** Contact syncs per user: each looks up to 500 phones/emails, so this bounds directory scraping. */
    contactSync: { limit: c.RATE_LIMIT_CONTACT_SYNC_PER_HOUR, windowMs: 60 * MINUTE },
    /** Uploads started (presigned or direct) per user. */
    upload: { limit: c.RATE_LIMIT_UPLOAD_PER_MINUTE, windowMs: MINUTE },
  } satisfies Record<string, LimitRule>;
}

export type LimitName = keyof ReturnType<typeof gatewayLimitRules>;

/**
 * Who a limit counts: the authenticated user, else the app whose API key pair the gateway has
 * checked (server routes only), else the client IP (X-Forwarded-For only from trusted proxies).
 * A header the caller merely sends never names a bucket.
 */
export function callerKey(req: Request): string {
  const userId = req.res?.locals.userId as string | undefined;
  if (userId) return `user:${userId}`;
  const appId = req.res?.locals.appId as string | undefined;
  if (appId) return `app:${appId}`;
  return `ip:${clientIpKey(req)}`;
}

export function buildLimiters(redis: RedisClient, keys: RedisKeys, config: GatewayConfig): Record<LimitName, RequestHandler> {
  const rules = gatewayLimitRules(config);
  const entries = Object.entries(rules).map(([name, rule]) => [
    name,
    createLimiter(redis, keys, { name: `gw-${name}`, label: name, rule, key: callerKey, countFailuresOnly: name === 'serverKeyFailures' }),
  ]);
  return Object.fromEntries(entries) as Record<LimitName, RequestHandler>;
}
