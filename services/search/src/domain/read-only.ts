import { type Executor, ServiceUnavailableError } from '@chat/service-kit';
import type { SearchDeps } from '../deps.js';

const QUERY_CANCELED = '57014';

/**
 * Runs a search in a read-only transaction under the configured statement timeout, without
 * parallel workers or JIT compilation: a search reads a few thousand rows at most, and starting
 * workers or compiling costs more than that (the planner, overestimating how many rows a fragment
 * matches, would do both).
 */
export async function readOnly<T>(deps: SearchDeps, fn: (t: Executor) => Promise<T>): Promise<T> {
  try {
    return await deps.platform.db.tx(async (t) => {
      await t.none(
        `SET TRANSACTION READ ONLY; SET LOCAL statement_timeout = ${deps.config.SEARCH_STATEMENT_TIMEOUT_MS}; SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL jit = off`,
      );
      return fn(t);
    });
  } catch (err) {
    if ((err as { code?: string }).code === QUERY_CANCELED) throw new ServiceUnavailableError('the search took too long; narrow it down');
    throw err;
  }
}
