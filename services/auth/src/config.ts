import { z } from '@chat/contracts';
import { BaseConfig, parseConfig, requiredInProduction, withGeneratedSecrets } from '@chat/service-kit';

export const AuthConfig = BaseConfig.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(12),
  ACCESS_TOKEN_TTL_S: z.coerce.number().int().min(30).max(3600).default(900),
  /** How often the auth service checks that Redis still holds the revocation list (rebuilt when it was lost). */
  REVOCATION_CHECK_MS: z.coerce.number().int().min(100).max(60_000).default(1000),
  REFRESH_TOKEN_TTL_S: z.coerce
    .number()
    .int()
    .min(300)
    .default(30 * 24 * 3600),
  /** PEM of the P-256 signing key. Without it, outside production, a key is generated into AUTH_KEYS_DIR. */
  AUTH_PRIVATE_KEY: z.string().optional(),
  AUTH_KEYS_DIR: z.string().default('.data/keys'),
  /** 32 bytes, base64: encrypts TOTP secrets at rest. */
  TOTP_ENCRYPTION_KEY: z.string().refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded'),
  /** Platform admin key for /admin routes; unset → they answer 404. */
  PLATFORM_ADMIN_KEY: z.string().min(16).optional(),
  MAIL_SMTP_URL: z.url().optional(),
  MAILBOX_DIR: z.string().default('.data/mailbox'),
  MAIL_FROM: z.string().default('Chat <no-reply@localhost>'),
  /** SMS provider endpoint (POST JSON `{ to, text }`); unset outside production → texts go to SMS_OUTBOX_DIR. */
  SMS_PROVIDER_URL: z.url().optional(),
  /** Bearer token for SMS_PROVIDER_URL. */
  SMS_PROVIDER_TOKEN: z.string().min(1).optional(),
  SMS_OUTBOX_DIR: z.string().default('.data/sms'),
  PUBLIC_URL: z.url().default('http://127.0.0.1:8080'),
  EMAIL_TOKEN_TTL_S: z.coerce
    .number()
    .int()
    .min(60)
    .default(24 * 3600),
  RESET_TOKEN_TTL_S: z.coerce.number().int().min(60).default(3600),
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).default(5),
  LOGIN_FAILURE_WINDOW_S: z.coerce.number().int().min(1).default(900),
  LOGIN_IP_MAX_FAILURES: z.coerce.number().int().min(1).default(100),
  TOTP_MAX_FAILURES: z.coerce.number().int().min(1).default(5),
  /** How long a texted phone code works. */
  PHONE_CODE_TTL_S: z.coerce.number().int().min(60).max(3600).default(600),
  /** Wrong phone codes per account per LOGIN_FAILURE_WINDOW_S before 429. */
  PHONE_CODE_MAX_FAILURES: z.coerce.number().int().min(1).default(5),
}).refine((c) => !c.SMS_PROVIDER_URL || c.SMS_PROVIDER_TOKEN, { path: ['SMS_PROVIDER_TOKEN'], message: 'required with SMS_PROVIDER_URL' });
export type AuthConfig = z.infer<typeof AuthConfig>;

export function loadAuthConfig(env: Record<string, string | undefined>): AuthConfig {
  return parseConfig(AuthConfig, withGeneratedSecrets(env, { TOTP_ENCRYPTION_KEY: 'base64-32' }), {
    AUTH_PRIVATE_KEY: requiredInProduction,
    TOTP_ENCRYPTION_KEY: requiredInProduction,
    MAIL_SMTP_URL: requiredInProduction,
    SMS_PROVIDER_URL: requiredInProduction,
    SMS_PROVIDER_TOKEN: requiredInProduction,
    BCRYPT_COST: (v) => (v !== undefined && Number(v) < 12 ? 'must be at least 12 in production' : undefined),
  });
}
