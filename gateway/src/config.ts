import { z } from '@chat/contracts';
import { BaseConfig, parseConfig } from '@chat/service-kit';

const perMinute = (n: number) => z.coerce.number().int().min(1).default(n);

export const GatewayConfig = BaseConfig.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** The gateway faces clients: X-Forwarded-For is ignored unless a proxy in front is configured here. */
  TRUST_PROXY: z.string().default('false'),
  /** Comma-separated allowed origins, or `*`. */
  CORS_ORIGINS: z.string().default('*'),
  /** `<SERVICE>_URL` for each service (see services.ts for the defaults). */
  AUTH_URL: z.url().optional(),
  USER_URL: z.url().optional(),
  CHAT_URL: z.url().optional(),
  MESSAGE_URL: z.url().optional(),
  MEDIA_URL: z.url().optional(),
  PRESENCE_URL: z.url().optional(),
  SEARCH_URL: z.url().optional(),
  REALTIME_URL: z.url().optional(),
  /** How long a check with another service (an API key pair) may take before the request fails with 504. */
  RPC_TIMEOUT_MS: z.coerce.number().int().min(50).default(2000),
  PROXY_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  /** Largest declared body the gateway forwards: JSON routes, and file uploads (keep ≥ MEDIA_MAX_BYTES). */
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(101 * 1024 * 1024),
  RATE_LIMIT_USER_PER_MINUTE: perMinute(600),
  RATE_LIMIT_IP_PER_MINUTE: perMinute(300),
  RATE_LIMIT_REGISTER_PER_HOUR: perMinute(60),
  RATE_LIMIT_LOGIN_PER_MINUTE: perMinute(60),
  RATE_LIMIT_REFRESH_PER_MINUTE: perMinute(120),
  RATE_LIMIT_MAIL_PER_HOUR: perMinute(20),
  RATE_LIMIT_SENSITIVE_PER_15_MINUTES: perMinute(30),
  RATE_LIMIT_SERVER_PER_MINUTE: perMinute(6000),
  RATE_LIMIT_SERVER_KEY_FAILURES_PER_MINUTE: perMinute(60),
  RATE_LIMIT_CONTACT_SYNC_PER_HOUR: perMinute(20),
  RATE_LIMIT_UPLOAD_PER_MINUTE: perMinute(30),
});
export type GatewayConfig = z.infer<typeof GatewayConfig>;

export function loadGatewayConfig(env: Record<string, string | undefined>): GatewayConfig {
  return parseConfig(GatewayConfig, env);
}
