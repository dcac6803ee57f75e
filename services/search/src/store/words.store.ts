import type { Executor } from '@chat/service-kit';

/**
 * Adds the runs of letters and digits of `docs` (each a message's `body || ' ' || files`) to the
 * dictionary. In word order, so that two writers adding the same new words never wait on each
 * other crosswise.
 */
export async function addWords(t: Executor, docs: string[]): Promise<void> {
  if (docs.length === 0) return;
  await t.none(
    `INSERT INTO words (word)
     SELECT DISTINCT w FROM unnest($1::text[]) AS doc, unnest(alnum_runs(doc)) AS w WHERE w <> '' ORDER BY w
     ON CONFLICT DO NOTHING`,
    [docs],
  );
}

/**
 * For each fragment (letters and digits only, lowercased, three or more), the dictionary words that
 * contain it, or null when more than `max` do (the trigram index then serves the fragment instead).
 */
export async function wordsContaining(t: Executor, fragments: string[], max: number): Promise<(string[] | null)[]> {
  if (fragments.length === 0) return [];
  const rows: { words: string[] }[] = await t.any(
    `SELECT ARRAY(SELECT word FROM words WHERE word LIKE '%' || f || '%' LIMIT $2) AS words
       FROM unnest($1::text[]) WITH ORDINALITY AS x(f, i) ORDER BY i`,
    [fragments, max + 1],
  );
  return rows.map((r) => (r.words.length > max ? null : r.words));
}
