// Bulk data for the search benchmark: a Zipf-like vocabulary and 1,000,000 messages across
// 10,000 chats written straight into the search schema (indexes and word dictionary built after
// the load).
import type pgPromise from 'pg-promise';

const COMMON = [
  'the',
  'and',
  'to',
  'you',
  'it',
  'is',
  'we',
  'for',
  'on',
  'that',
  'this',
  'meeting',
  'deploy',
  'today',
  'release',
  'please',
  'thanks',
  'tomorrow',
  'build',
  'server',
  'review',
  'test',
  'fix',
  'issue',
  'merge',
  'branch',
  'lunch',
  'call',
  'update',
  'customer',
];
const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ren',
  'ta',
  'vo',
  'shi',
  'pra',
  'den',
  'qu',
  'el',
  'mor',
  'zi',
  'bal',
  'tor',
  'ne',
  'gra',
  'fin',
  'ul',
  'sa',
  'pe',
  'dro',
  'vin',
  'ko',
];

/** Deterministic words: common English first, then made-up words of 2–4 syllables. */
export function vocabulary(size: number): string[] {
  // mulberry32: a small seeded generator, so every run loads the same words.
  let seed = 42;
  const rand = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const words = new Set(COMMON);
  while (words.size < size) {
    const n = 2 + Math.floor(rand() * 3);
    words.add(Array.from({ length: n }, () => SYLLABLES[Math.floor(rand() * SYLLABLES.length)]).join(''));
  }
  return [...words];
}

export interface Dataset {
  appId: string;
  chatIds: string[];
  /** A member of 50 chats and one of 5,000. */
  small: string;
  big: string;
}

type Db = pgPromise.IDatabase<object>;

/**
 * Word ranks are log-uniform (Zipf with s≈1): rank r is drawn with probability ~ ln((r+1)/r) / ln(N).
 * One message in twenty carries an error code, one in twenty a file path, one in ten an attachment.
 * Messages are written oldest first over the past year, as a live system writes them.
 */
export async function loadDataset(db: Db, d: Dataset, vocab: string[], messages: number): Promise<void> {
  const defs: { indexdef: string; indexname: string }[] = await db.any(
    `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'search' AND tablename = 'messages' AND indexname <> 'messages_pkey'`,
  );
  for (const i of defs) await db.none('DROP INDEX search.$1:name', [i.indexname]);
  await db.none(
    `INSERT INTO search.chats (chat_id, app_id, type, name, is_public, changed_at)
     SELECT c, $1, 'group', 'chat ' || n, n % 10 = 0, now() FROM unnest($2::uuid[]) WITH ORDINALITY AS x(c, n)`,
    [d.appId, d.chatIds],
  );
  await addMembers(db, d);
  await db.none(
    `INSERT INTO search.members (user_id, chat_id, app_id, active, changed_at)
     SELECT gen_random_uuid(), c, $2::uuid, true, now() FROM unnest($1::uuid[]) AS c, generate_series(1, 10)`,
    [d.chatIds, d.appId],
  );
  const batch = 100_000;
  for (let from = 0; from < messages; from += batch) {
    await db.none(
      `INSERT INTO search.messages (chat_id, id, app_id, seq, sender_id, kind, body, files, has_attachment, created_at)
       SELECT ($<chats>::uuid[])[1 + floor(random() * $<nChats>)::int], gen_random_uuid(), $<appId>, g, $<sender>, 'text',
              b.body || CASE WHEN g % 20 = 0 THEN ' ERR_' || (random() * 100000)::int WHEN g % 20 = 1 THEN ' /srv/app/' || b.w || '.ts' ELSE '' END,
              CASE WHEN g % 10 = 2 THEN b.w || '-report.pdf' ELSE '' END, g % 10 = 2,
              date_trunc('milliseconds', now() - interval '365 days' * (1 - g::float8 / $<total>))
         FROM generate_series($<from>, $<to>) AS g,
         LATERAL (SELECT array_to_string(ARRAY(
                    SELECT ($<vocab>::text[])[floor(exp(random() * ln($<nVocab>)))::int] FROM generate_series(1, 4 + (g % 13))), ' ') AS body,
                  ($<vocab>::text[])[1 + (random() * ($<nVocab> - 1))::int] AS w) AS b`,
      {
        chats: d.chatIds,
        nChats: d.chatIds.length,
        appId: d.appId,
        sender: d.small,
        vocab,
        nVocab: vocab.length,
        from,
        to: Math.min(messages, from + batch) - 1,
        total: messages,
      },
    );
  }
  // The dictionary of runs the projection keeps as it indexes (src/store/words.store.ts).
  await db.none(
    `INSERT INTO search.words (word)
     SELECT DISTINCT w FROM search.messages, unnest(search.alnum_runs(body || ' ' || files)) AS w WHERE NOT deleted AND w <> '' ORDER BY w
     ON CONFLICT DO NOTHING`,
  );
  await db.none(`SET maintenance_work_mem = '512MB'`);
  for (const i of defs) await db.none(i.indexdef);
  for (const table of ['messages', 'members', 'chats']) await db.none('VACUUM ANALYZE search.$1:name', [table]);
}

/** Makes `small` a member of the first 50 chats and `big` of the first 5,000. */
export async function addMembers(db: Db, d: Dataset): Promise<void> {
  await db.none(
    `INSERT INTO search.members (user_id, chat_id, app_id, active, changed_at)
     SELECT $1::uuid, c, $3::uuid, true, now() FROM unnest($2::uuid[]) AS c
     UNION ALL SELECT $4::uuid, c, $3::uuid, true, now() FROM unnest($5::uuid[]) AS c`,
    [d.small, d.chatIds.slice(0, 50), d.appId, d.big, d.chatIds.slice(0, 5000)],
  );
  await db.none('ANALYZE search.members');
}
