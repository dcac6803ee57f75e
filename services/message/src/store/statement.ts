import { type Db, type Executor, concatStatements } from '@chat/service-kit';

/** One SQL statement and its values, built now and sent later with others. */
export interface Statement {
  query: string;
  values?: unknown;
}

/**
 * Sends the statements to PostgreSQL in one round trip; they run in order (inside the caller's
 * transaction, when it has one) and each one's rows come back at its index.
 */
export async function runStatements(t: Executor, statements: Statement[]): Promise<unknown[][]> {
  if (statements.length === 0) return [];
  return t.multi(concatStatements(statements));
}

/**
 * A transaction in two round trips: `BEGIN` travels with the `reads`, `COMMIT` with the writes
 * that `decide` works out from their rows (synchronously: nothing else runs inside). A failure
 * anywhere rolls back. For the hottest path only; everything else uses `platform.tx`.
 */
export async function twoStepTx<T>(db: Db, reads: Statement[], decide: (rows: unknown[][]) => { writes: Statement[]; result: T }): Promise<T> {
  return db.task(async (t) => {
    try {
      const rows = await runStatements(t, [{ query: 'BEGIN' }, ...reads]);
      const { writes, result } = decide(rows.slice(1));
      await runStatements(t, [...writes, { query: 'COMMIT' }]);
      return result;
    } catch (err) {
      // The connection goes back to the pool and must not stay inside a transaction. ROLLBACK
      // fails only on a connection that is gone, which the pool drops.
      await t.none('ROLLBACK').catch(() => undefined);
      throw err;
    }
  });
}
