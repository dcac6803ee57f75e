import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `<repo>/.data/infra`, whichever folder a process starts from (this file sits at the same depth
 * in src/ and dist/): where `infra/local-infra.sh` keeps the credentials of the project's own NATS
 * and Redis for development and tests.
 */
export const DEFAULT_INFRA_SECRETS_DIR = fileURLToPath(new URL('../../../.data/infra', import.meta.url));

/** The development NATS and Redis that `infra/local-infra.sh` runs (authenticated, unlike a bare install). */
export const LOCAL_NATS_URL = 'nats://127.0.0.1:4223';
export const LOCAL_REDIS_URL = 'redis://127.0.0.1:6380';

export interface InfraEnv {
  NODE_ENV: string;
  NATS_USER?: string;
  NATS_PASSWORD?: string;
  INFRA_SECRETS_DIR: string;
}

function readSecret(dir: string, ...path: string[]): string | undefined {
  const file = join(dir, ...path);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

/**
 * The NATS user a process connects as: NATS_USER/NATS_PASSWORD when set; outside production, the
 * generated local user named after the service (each service has its own subject permissions).
 */
export function natsCredentials(service: string, env: InfraEnv): { user: string; pass: string } | undefined {
  if (env.NATS_USER && env.NATS_PASSWORD) return { user: env.NATS_USER, pass: env.NATS_PASSWORD };
  if (env.NODE_ENV === 'production') return undefined;
  const pass = readSecret(env.INFRA_SECRETS_DIR, 'nats', `${service}.password`);
  return pass ? { user: service, pass } : undefined;
}

/** The local Redis URL with the generated `name` user's password, when `local-infra.sh` made one. */
export function localRedisUrl(dir: string, name = 'chat'): string {
  const pass = readSecret(dir, 'redis', `${name}.password`);
  if (!pass) return LOCAL_REDIS_URL;
  const url = new URL(LOCAL_REDIS_URL);
  url.username = name;
  url.password = pass;
  return url.toString();
}
