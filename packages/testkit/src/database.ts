import pgPromise from 'pg-promise';
import type { Stack } from './stack.js';

const pgp = pgPromise({ noWarnings: true });
const pools = new Map<string, pgPromise.IDatabase<object>>();

/** The stack's own database, to check (or, for expiry, age) stored state. */
export function stackDatabase(stack: Stack): pgPromise.IDatabase<object> {
  const url = stack.env.DATABASE_URL!;
  if (!pools.has(url)) pools.set(url, pgp({ connectionString: url, max: 2 }));
  return pools.get(url)!;
}

/** Closes every pool `stackDatabase` opened (call before the stack drops its database). */
export async function closeStackDatabases(): Promise<void> {
  const open = [...pools.values()];
  pools.clear();
  await Promise.all(open.map((db) => db.$pool.end()));
}
