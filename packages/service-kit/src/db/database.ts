import pgPromise from 'pg-promise';

// One library instance per process; several services may share it in tests.
const pgp = pgPromise({ noWarnings: true });

export type Db = pgPromise.IDatabase<object>;
/** A database or a transaction: store functions take either, so callers compose them in one tx. */
export type Executor = pgPromise.IBaseProtocol<object>;

/**
 * Joins statements into one text that runs them in order in one round trip (`multi`). The same as
 * `pgp.helpers.concat` without its trimming pass, a regular expression over the whole text that
 * costs more than the formatting when a statement carries a large JSON parameter.
 */
export function concatStatements(statements: { query: string; values?: unknown }[]): string {
  return statements.map((s) => (s.values === undefined ? s.query : pgp.as.format(s.query, s.values))).join(';\n');
}
export const pgErrors = pgp.errors;

/** A pool whose connections see only `schema` (the owning service's). */
export function createDatabase(url: string, schema: string, poolSize: number): Db {
  // `options` is passed through to node-postgres, which pg-promise's types do not list.
  const params = { connectionString: url, max: poolSize, options: `-c search_path=${schema}`, application_name: schema };
  return pgp(params as Parameters<typeof pgp>[0]);
}

export function databaseNameOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
}

/** Creates the database named in `url` when it is missing (tolerates a concurrent create). */
export async function ensureDatabase(url: string): Promise<void> {
  const name = databaseNameOf(url);
  const adminUrl = new URL(url);
  adminUrl.pathname = '/postgres';
  const admin = pgp({ connectionString: adminUrl.toString(), max: 1 });
  try {
    const exists = await admin.oneOrNone('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!exists) {
      await admin.none('CREATE DATABASE $1:name', [name]).catch((err: { code?: string }) => {
        // 42P04 duplicate_database, 23505 unique_violation: someone else created it meanwhile.
        if (err.code !== '42P04' && err.code !== '23505') throw err;
      });
    }
  } finally {
    await admin.$pool.end();
  }
}

/** True when `err` is PostgreSQL's unique violation, optionally on a named constraint. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string };
  return e?.code === '23505' && (constraint === undefined || e.constraint === constraint);
}
