// Prints EXPLAIN ANALYZE of one message-search query against the benchmark database (a tuning aid):
// node --import tsx bench/explain.ts <userId> <q> <walk: chats|index|slices> [slice as JSON: {"below":{t,id},"since":t,"byHour":{"since":true,"below":false}}] [limit]
import pgPromise from 'pg-promise';
import { parseQuery } from '../src/domain/query.js';
import { newestMatches } from '../src/store/message-search.store.js';

const [userId, q, walk = 'slices', slice = '{}', limit = '200'] = process.argv.slice(2);
const pgp = pgPromise();
const db = pgp({ connectionString: 'postgres://postgres@127.0.0.1:5432/chat_bench_search', options: '-c search_path=search' } as Parameters<typeof pgp>[0]);
const appId = (await db.one('SELECT app_id FROM members WHERE user_id = $1 LIMIT 1', [userId])).app_id;
const explainer = {
  async any(sql: string, params: unknown) {
    const rows = await db.any(`EXPLAIN (ANALYZE, BUFFERS) ${pgp.as.format(sql, params)}`);
    process.stdout.write(`${rows.map((r) => r['QUERY PLAN']).join('\n')}\n`);
    return [];
  },
};
await newestMatches(
  explainer as never,
  { appId, userId: userId!, query: q ? parseQuery(q) : null, walk: walk as 'chats' | 'index' | 'slices' },
  JSON.parse(slice),
  Number(limit),
);
await db.$pool.end();
