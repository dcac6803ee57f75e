import { SEARCH_TERMS_MAX } from '@chat/contracts';

/**
 * A search text read the way `websearch_to_tsquery` reads it, plus what the substring match and
 * the highlighter need: positive words, quoted phrases, excluded terms, and whether `OR` is used.
 */
export interface ParsedQuery {
  /** The text as given: PostgreSQL's `websearch_to_tsquery` parses it (it never fails on syntax). */
  text: string;
  words: string[];
  phrases: string[];
  excluded: string[];
  hasOr: boolean;
}

const TOKEN = /(-?)"([^"]*)"?|(\S+)/gu;
// Brackets, quotes and sentence punctuation around a word are not part of what is searched for.
const EDGE_PUNCTUATION = /^[()[\]{}"'“”‘’«»,;:!?]+|[()[\]{}"'“”‘’«»,;:!?]+$/gu;

export function parseQuery(text: string): ParsedQuery {
  const q: ParsedQuery = { text, words: [], phrases: [], excluded: [], hasOr: false };
  for (const m of text.matchAll(TOKEN)) {
    const [, minus, phrase, bare] = m;
    if (phrase !== undefined) {
      const p = phrase.trim();
      if (p) (minus ? q.excluded : q.phrases).push(p);
      continue;
    }
    if (!bare) continue;
    if (/^or$/i.test(bare)) {
      q.hasOr = true;
      continue;
    }
    const excluded = bare.length > 1 && bare.startsWith('-');
    const word = (excluded ? bare.slice(1) : bare).replace(EDGE_PUNCTUATION, '');
    if (word) (excluded ? q.excluded : q.words).push(word);
  }
  q.words = [...new Set(q.words)].slice(0, SEARCH_TERMS_MAX);
  q.phrases = q.phrases.slice(0, SEARCH_TERMS_MAX);
  q.excluded = q.excluded.slice(0, SEARCH_TERMS_MAX);
  return q;
}

/** What the highlighter marks: words and phrases, longest first (so a phrase wins over its words). */
export function highlightTerms(q: ParsedQuery): string[] {
  return [...q.phrases, ...q.words].sort((a, b) => b.length - a.length);
}

export const likePattern = (s: string) => `%${s.replace(/[\\%_]/g, '\\$&')}%`;

/** A word that is part of a text exactly when it is part of one of the text's runs of letters and digits. */
export const isRunFragment = (w: string) => /^[a-z0-9]{3,}$/i.test(w);

export interface MatchOptions {
  /** Whether the trigram index may serve `ILIKE` (else `lower(doc) LIKE`, which no index serves). */
  substringIndex?: boolean;
  /**
   * `of`: the SQL of the text's runs (`alnum_runs(doc)`); `words`: per query word, the dictionary
   * words that contain it, or null. A word with a list matches when a run is one of them.
   */
  runs?: { of: string; words: (string[] | null)[] };
}

/**
 * SQL that matches `doc` (text) and `tsv` against the query, with its parameters. Without `OR`, a
 * message matches when every word is part of it (as a word, a prefix or any substring), every
 * phrase is there as a phrase, and no excluded term is; with `OR`, full-text semantics alone.
 */
export function matchSql(q: ParsedQuery, doc: string, tsv: string, prefix: string, opts: MatchOptions = {}): { sql: string; params: Record<string, unknown> } {
  const params: Record<string, unknown> = { [`${prefix}q`]: q.text };
  const exact = `${tsv} @@ websearch_to_tsquery('simple', $<${prefix}q>)`;
  if (q.hasOr || q.words.length === 0) return { sql: exact, params };
  // `lower(doc) LIKE lower(pattern)` means the same as ILIKE but no index serves it: where the
  // rows are already few, the planner must not trust the trigram index's (poor) row estimate.
  const like = opts.substringIndex === false ? (p: string) => `lower(${doc}) LIKE lower(${p})` : (p: string) => `${doc} ILIKE ${p}`;
  const parts = q.words.map((w, i) => {
    const words = opts.runs?.words[i];
    if (opts.runs && words) {
      params[`${prefix}r${i}`] = words;
      return `${opts.runs.of} && $<${prefix}r${i}>::text[]`;
    }
    params[`${prefix}w${i}`] = likePattern(w);
    return like(`$<${prefix}w${i}>`);
  });
  q.phrases.forEach((p, i) => {
    params[`${prefix}p${i}`] = p;
    parts.push(`${tsv} @@ phraseto_tsquery('simple', $<${prefix}p${i}>)`);
  });
  q.excluded.forEach((x, i) => {
    params[`${prefix}x${i}`] = x;
    parts.push(`NOT ${tsv} @@ phraseto_tsquery('simple', $<${prefix}x${i}>)`);
  });
  // When runs serve every word, a full-text match is one of their matches anyway (each of its words
  // is part of a run): the full-text index need not be asked.
  if (opts.runs && q.words.every((_, i) => opts.runs?.words[i])) return { sql: `(${parts.join(' AND ')})`, params };
  return { sql: `(${exact} OR (${parts.join(' AND ')}))`, params };
}

/** Relevance: whole-word matches above substring-only ones, then `ts_rank` (text outweighs file names). */
export function scoreSql(tsv: string, prefix: string): string {
  const query = `websearch_to_tsquery('simple', $<${prefix}q>)`;
  return `((CASE WHEN ${tsv} @@ ${query} THEN 100 ELSE 0 END) + round(100 * ts_rank('{0.1,0.2,0.4,1.0}', ${tsv}, ${query})))::int`;
}
