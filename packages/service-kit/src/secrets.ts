import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** How a generated secret is made: random bytes in an encoding its consumer accepts. */
export type SecretKind = 'base64-32' | 'hex-32' | 'token';

/**
 * Where generated development secrets live unless `SECRETS_DIR` says otherwise: `<repo>/.data/secrets`
 * whichever folder a process starts from (this file sits at the same depth in src/ and dist/).
 */
export const DEFAULT_SECRETS_DIR = fileURLToPath(new URL('../../../.data/secrets', import.meta.url));

function generate(kind: SecretKind): string {
  if (kind === 'base64-32') return randomBytes(32).toString('base64');
  if (kind === 'hex-32') return randomBytes(32).toString('hex');
  return randomBytes(24).toString('base64url');
}

/**
 * The secret stored under `name` in `dir`, generated once and kept with mode 0600. Every process of
 * one install reads the same value, and no two installs share one. Written atomically (rename), so
 * processes starting together agree on the first value written.
 */
export function readOrCreateSecret(dir: string, name: string, kind: SecretKind = 'token'): string {
  const file = join(resolve(dir), name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(temp, `${generate(kind)}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(temp, 0o600);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  renameSync(temp, file);
  return readFileSync(file, 'utf8').trim();
}

/**
 * Outside production, fills each missing secret with one generated for this install (kept in
 * `SECRETS_DIR`, default `.data/secrets`). In production nothing is filled: the schema and the
 * production rules then name each missing secret. No secret has a fixed default anywhere.
 */
export function withGeneratedSecrets(env: Record<string, string | undefined>, secrets: Record<string, SecretKind>): Record<string, string | undefined> {
  if (env.NODE_ENV === 'production') return env;
  const dir = env.SECRETS_DIR || DEFAULT_SECRETS_DIR;
  const filled = { ...env };
  for (const [key, kind] of Object.entries(secrets)) if (!filled[key]) filled[key] = readOrCreateSecret(dir, key, kind);
  return filled;
}
