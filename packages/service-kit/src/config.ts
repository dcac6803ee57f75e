import { z } from '@chat/contracts';
import { DEFAULT_INFRA_SECRETS_DIR, LOCAL_NATS_URL, localRedisUrl } from './local-infra.js';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** Keys every service reads. A service extends this with its own keys. */
export const BaseConfig = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535),
  /** The ops listener (/health, /ready, /metrics): unset → PORT + 1000 (0 when PORT is 0: a free port). */
  OPS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Also serve /metrics on the main port (never do this on a port clients reach). */
  METRICS_PUBLIC: bool.default(false),
  /** A log line per HTTP request at info level (`on`), or none (`off`). */
  ACCESS_LOG: z.enum(['on', 'off']).default('on'),
  /** Share of requests the access log keeps (0–1); responses ≥ 500 are always logged. */
  ACCESS_LOG_SAMPLE: z.coerce.number().min(0).max(1).default(1),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'http', 'debug', 'silent']).default('info'),
  DATABASE_URL: z.url().default('postgres://postgres@127.0.0.1:5432/chat'),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** With its credentials (`redis://user:password@host:port`); unset outside production: the local ACL Redis. */
  REDIS_URL: z.url().optional(),
  /** Prefix of every Redis key; one deployment shares one prefix. */
  REDIS_PREFIX: z.string().default('chat:'),
  NATS_URL: z.string().default(LOCAL_NATS_URL),
  /** The process's NATS user (its subject permissions); unset outside production: the local user named after the service. */
  NATS_USER: z.string().optional(),
  NATS_PASSWORD: z.string().optional(),
  /** Credentials of the local NATS and Redis (written by infra/local-infra.sh). */
  INFRA_SECRETS_DIR: z.string().default(DEFAULT_INFRA_SECRETS_DIR),
  /** Prefix of every NATS subject and stream (lets test runs share one server). */
  NATS_PREFIX: z
    .string()
    .regex(/^([a-z0-9_-]+\.)?$/)
    .default(''),
  /** express `trust proxy`: which peers may set X-Forwarded-For. */
  TRUST_PROXY: z.string().default('loopback'),
  BODY_LIMIT: z.string().default('1mb'),
  /** Validate responses against the contract (on outside production, where a drift should fail loudly). */
  VALIDATE_RESPONSES: bool.optional(),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
});
export type BaseConfig = z.infer<typeof BaseConfig>;

export class ConfigError extends Error {}

/** The access log settings of `createHttpApp` from ACCESS_LOG and ACCESS_LOG_SAMPLE. */
export function accessLogOf(config: Pick<BaseConfig, 'ACCESS_LOG' | 'ACCESS_LOG_SAMPLE'>): { enabled: boolean; sample: number } {
  return { enabled: config.ACCESS_LOG === 'on', sample: config.ACCESS_LOG_SAMPLE };
}

/** REDIS_URL, else (outside production) the local ACL Redis with the generated service user. */
export function redisUrlFor(config: { REDIS_URL?: string; INFRA_SECRETS_DIR: string }): string {
  return config.REDIS_URL ?? localRedisUrl(config.INFRA_SECRETS_DIR);
}

/** Where the ops listener listens: OPS_PORT, else 1000 above the main port. */
export function opsPortFor(config: { PORT: number; OPS_PORT?: number }): number {
  if (config.OPS_PORT !== undefined) return config.OPS_PORT;
  return config.PORT === 0 || config.PORT + 1000 > 65535 ? 0 : config.PORT + 1000;
}

/** Checks applied only when NODE_ENV=production: a message when the value is not acceptable there. */
export type ProductionRules = Record<string, (value: string | undefined) => string | undefined>;

export const requiredInProduction = (value: string | undefined) => (value ? undefined : 'required in production');

/** NATS and Redis accept only authenticated clients in production: each process brings its own. */
const INFRA_PRODUCTION_RULES: ProductionRules = {
  NATS_USER: requiredInProduction,
  NATS_PASSWORD: requiredInProduction,
  REDIS_URL: (v) => {
    if (!v) return 'required in production';
    try {
      return new URL(v).password ? undefined : 'must carry credentials in production (redis://user:password@host:port)';
    } catch {
      return undefined;
    }
  },
};

/**
 * Parses `env` with `schema`. Throws a ConfigError naming every bad key at once; `runMain` turns
 * that into a clear message and exit code 1.
 */
export function parseConfig<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>, production: ProductionRules = {}): z.infer<S> {
  // An empty value means unset, as in `KEY=` in an env file.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(present);
  const lines = result.success ? [] : result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
  if (present.NODE_ENV === 'production') {
    for (const [key, rule] of Object.entries({ ...INFRA_PRODUCTION_RULES, ...production })) {
      const problem = rule(present[key]);
      if (problem) lines.push(`  ${key}: ${problem}`);
    }
  }
  if (lines.length > 0 || !result.success) throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  return result.data;
}

export { bool as boolFromEnv };
