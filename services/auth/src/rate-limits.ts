import type { LimitRule } from '@chat/service-kit';
import type { AuthConfig } from './config.js';

/**
 * Failure-based limits of the auth service (request-rate limits per route live in the gateway).
 * Each counts failed attempts only, in Redis, shared by every replica.
 */
export function authRateLimits(
  config: AuthConfig,
): Record<'loginPerIdentifier' | 'loginPerIp' | 'totpPerUser' | 'phoneCodePerUser' | 'passwordCheckPerUser', LimitRule> {
  const windowMs = config.LOGIN_FAILURE_WINDOW_S * 1000;
  return {
    loginPerIdentifier: { limit: config.LOGIN_MAX_FAILURES, windowMs },
    loginPerIp: { limit: config.LOGIN_IP_MAX_FAILURES, windowMs },
    totpPerUser: { limit: config.TOTP_MAX_FAILURES, windowMs },
    /** Wrong (or used, or expired) texted phone codes, per account. */
    phoneCodePerUser: { limit: config.PHONE_CODE_MAX_FAILURES, windowMs },
    /**
     * Wrong passwords confirming a sensitive action of a signed-in account (change password, 2FA
     * off, rpc.auth.verify-password for account deletion), per account, all in one counter.
     */
    passwordCheckPerUser: { limit: config.LOGIN_MAX_FAILURES, windowMs },
  };
}
