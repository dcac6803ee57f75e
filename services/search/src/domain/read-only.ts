import { type Executor, ServiceUnavailableError } from '@chat/service-kit';
import type { SearchDeps } from '../deps.js';

const QUERY_CANCELED = '57014';

/** Runs a search in a read-only transaction under the configured statement timeout. */
export async function readOnly<T>(deps: SearchDeps, fn: (t: Executor) => Promise<T>): Promise<T> {
  try {
    return await deps.platform.db.tx(async (t) => {
      await t.none(`SET TRANSACTION READ ONLY; SET LOCAL statement_timeout = ${deps.config.SEARCH_STATEMENT_TIMEOUT_MS}`);
      return fn(t);
    });
  } catch (err) {
    if ((err as { code?: string }).code === QUERY_CANCELED) throw new ServiceUnavailableError('the search took too long; narrow it down');
    throw err;
  }
}
