import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../logger.js';
import type { Db } from './database.js';

const MIGRATION_FILE = /^(\d{4})_[a-z0-9_]+\.sql$/;

/** Migrations every service gets (the outbox), applied before the service's own. */
export const KIT_MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

export interface MigrationSet {
  /** Recorded as `<source>:<file>` so kit and service files never collide. */
  source: string;
  dir: string;
}

async function listMigrations(set: MigrationSet): Promise<{ name: string; path: string }[]> {
  const files = (await readdir(set.dir)).filter((f) => f.endsWith('.sql')).sort();
  for (const f of files) if (!MIGRATION_FILE.test(f)) throw new Error(`migration file name ${f} must look like 0001_name.sql`);
  return files.map((f) => ({ name: `${set.source}:${f}`, path: join(set.dir, f) }));
}

/**
 * Applies pending migrations of `schema`, each in its own transaction. An advisory lock per schema
 * makes concurrent starts (several replicas) apply each file exactly once.
 * Returns the names it applied.
 */
export async function migrate(db: Db, schema: string, sets: MigrationSet[], logger: Logger): Promise<string[]> {
  const all = (await Promise.all(sets.map(listMigrations))).flat();
  return db.task('migrate', async (t) => {
    await t.one('SELECT pg_advisory_lock(hashtext($1))', [`migrate:${schema}`]);
    try {
      await t.none('CREATE SCHEMA IF NOT EXISTS $1:name', [schema]);
      await t.none('CREATE TABLE IF NOT EXISTS $1:name.migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())', [schema]);
      const done = new Set(await t.map('SELECT name FROM $1:name.migrations', [schema], (r: { name: string }) => r.name));
      const applied: string[] = [];
      for (const m of all.filter((m) => !done.has(m.name))) {
        const sql = await readFile(m.path, 'utf8');
        await t.tx(async (tx) => {
          await tx.none('SET LOCAL search_path TO $1:name', [schema]);
          await tx.none(sql);
          await tx.none('INSERT INTO $1:name.migrations (name) VALUES ($2)', [schema, m.name]);
        });
        logger.info('migration applied', { schema, migration: m.name });
        applied.push(m.name);
      }
      return applied;
    } finally {
      await t.one('SELECT pg_advisory_unlock(hashtext($1))', [`migrate:${schema}`]);
    }
  });
}

/** Whether every known migration of `schema` is applied (for `/ready`). */
export async function migrationsApplied(db: Db, schema: string, sets: MigrationSet[]): Promise<boolean> {
  const all = (await Promise.all(sets.map(listMigrations))).flat();
  const row = await db.one<{ n: number }>('SELECT count(*)::int AS n FROM $1:name.migrations WHERE name IN ($2:csv)', [schema, all.map((m) => m.name)]);
  return row.n === all.length;
}
