import { type AccessClaims, type MessageHit, type MessageSearchQuery, MessageType, Timestamp, Uuid, z } from '@chat/contracts';
import type { Executor } from '@chat/service-kit';
import type { SearchDeps } from '../deps.js';
import { timed } from '../metrics.js';
import { type MessageRow, type MessageSearch, type RecentKey, type Slice, countMyChats, newestMatches, sampleHits } from '../store/message-search.store.js';
import { wordsContaining } from '../store/words.store.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { highlightTerms, isRunFragment, parseQuery } from './query.js';
import { readOnly } from './read-only.js';
import { snippetOf } from './snippet.js';

const DEFAULT_LIMIT = 20;
const HOUR_MS = 3_600_000;
/**
 * Each time slice reaches at most this many times further back than the one before (then
 * everything older); less when the matches found so far show that less will do.
 */
const SLICE_GROWTH = 4;
const SLICES = 6;
const MIN_UUID = '00000000-0000-0000-0000-000000000000';
/** How many of the app's newest messages are sampled to tell a common match from a rare one. */
const SAMPLE = 5000;
/**
 * The text indexes take an hour bound as a range running to their newest (`>=`) or from their
 * oldest (`<=`) entry, and collect every message in it, at about a five-hundredth of the cost of
 * reading one match from the table: a bound pays while the matches it spares outnumber a
 * five-hundredth of the messages it runs over.
 */
const BOUND_PAYBACK = 500;
/** A query word found in more dictionary words than this goes through the trigram index instead. */
const RUN_WORDS_MAX = 1000;
/**
 * A newest-first walk expected to read more rows than this to fill the ranked window loses to the
 * text indexes (which, bounded by the hour, read little more than the matches of a slice).
 */
const WALK_BUDGET_ROWS = 10_000;

/** Phase 1 pages through the ranked window, phase 2 through older matches, newest first. */
const Cursor = z.union([z.object({ p: z.literal(1), s: z.number().int(), t: Timestamp, id: Uuid }), z.object({ p: z.literal(2), t: Timestamp, id: Uuid })]);
type Ranked = { s: number; t: string; id: string };

export interface Page<T> {
  data: T[];
  page: { nextCursor: string | null; hasMore: boolean };
}

/**
 * The newest `limit` matches below `key`. A search over many chats goes back in growing time
 * slices, so it stops after a few recent slices instead of fetching every match. After a slice
 * that found some, the next reaches back far enough for twice the missing matches at the pace
 * seen so far.
 */
async function newest(t: Executor, s: MessageSearch, key: RecentKey | undefined, limit: number): Promise<MessageRow[]> {
  if (s.walk === 'chats') return newestMatches(t, s, { below: key }, limit);
  const anchor = key ? Date.parse(key.t) : Date.now();
  const out: MessageRow[] = [];
  let below = key;
  let reachMs = s.firstSliceMs ?? HOUR_MS;
  for (let slice = 0; slice <= SLICES; slice++) {
    const since = sliceStart(s, anchor, reachMs, slice === SLICES);
    const byHour = s.walk === 'index' && since ? indexBounds(s, below) : undefined;
    out.push(...(await newestMatches(t, s, { below, since, byHour }, limit - out.length)));
    if (out.length >= limit || !since) break;
    below = { t: since, id: MIN_UUID };
    reachMs *= out.length === 0 ? SLICE_GROWTH : Math.min(SLICE_GROWTH, 1 + (2 * (limit - out.length)) / out.length);
  }
  return out;
}

/**
 * Whether bounding the text indexes by the hour pays: the bound runs over `runsMs` worth of
 * messages and spares the matches of `sparesMs` (the sample tells how dense matches are).
 */
const boundPays = (s: MessageSearch, runsMs: number, sparesMs: number) => runsMs <= sparesMs * (s.textShare ?? 0) * BOUND_PAYBACK;

/**
 * Where a slice reaching `reachMs` back from `anchor` starts, or nothing when it takes everything
 * older: the last slice, one reaching past the oldest message, and in the index walk one whose
 * start is not worth bounding the indexes with (unbounded, they hand over every older match anyway).
 */
function sliceStart(s: MessageSearch, anchor: number, reachMs: number, last: boolean): string | undefined {
  const since = anchor - reachMs;
  const oldest = s.oldestMs ?? 0;
  if (last || since <= oldest) return undefined;
  if (s.walk === 'index' && !boundPays(s, Date.now() - since, since - oldest)) return undefined;
  return new Date(since).toISOString();
}

/** For a slice of the index walk (its start pays, see `sliceStart`): whether its end is worth an hour bound too. */
function indexBounds(s: MessageSearch, below: RecentKey | undefined): Slice['byHour'] {
  const end = below ? Date.parse(below.t) : undefined;
  return { since: true, below: end !== undefined && boundPays(s, end - (s.oldestMs ?? 0), Date.now() - end) };
}

const rankOrder = (a: MessageRow, b: MessageRow) => b.score - a.score || b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id);
/** Whether `r` comes after the cursor position in relevance order. */
const afterRanked = (r: MessageRow, k: Ranked) => r.score < k.s || (r.score === k.s && (r.createdAt < k.t || (r.createdAt === k.t && r.id < k.id)));

function toHit(r: MessageRow, terms: string[]): MessageHit {
  const fileNames = r.files ? r.files.split('\n') : [];
  const inText = terms.length === 0 || snippetOf(r.body, terms).includes('<mark>');
  return {
    id: r.id,
    chatId: r.chatId,
    seq: r.seq,
    senderId: r.senderId,
    type: MessageType.catch('text').parse(r.kind),
    text: r.body || null,
    fileNames,
    hasAttachment: r.hasAttachment,
    mentions: r.mentions,
    createdAt: r.createdAt,
    editedAt: r.editedAt,
    snippet: snippetOf(inText ? r.body : fileNames.join(' · '), terms),
    score: r.score,
  };
}

function pageOf(rows: MessageRow[], limit: number, terms: string[], next: (last: MessageRow) => unknown): Page<MessageHit> {
  const more = rows.length > limit;
  const data = rows.slice(0, limit);
  const last = data.at(-1);
  return { data: data.map((r) => toHit(r, terms)), page: { hasMore: more, nextCursor: more && last ? encodeCursor(next(last)) : null } };
}

const recentKey = (r: MessageRow) => ({ p: 2, t: r.createdAt, id: r.id });

/** Relevance order over the newest `window` matches; when the window is full, older matches follow newest first. */
async function rankedPage(t: Executor, s: MessageSearch, key: Ranked | undefined, limit: number, window: number, terms: string[]): Promise<Page<MessageHit>> {
  const matches = await newest(t, s, undefined, window);
  const ranked = matches.sort(rankOrder).filter((r) => !key || afterRanked(r, key));
  const floor = matches.reduce<MessageRow | undefined>(
    (old, r) => (!old || r.createdAt < old.createdAt || (r.createdAt === old.createdAt && r.id < old.id) ? r : old),
    undefined,
  );
  if (ranked.length > limit || matches.length < window || !floor) {
    return pageOf(ranked, limit, terms, (r) => ({ p: 1, s: r.score, t: r.createdAt, id: r.id }));
  }
  const below = { t: floor.createdAt, id: floor.id };
  const older = await newest(t, s, below, limit + 1 - ranked.length);
  return pageOf([...ranked, ...older], limit, terms, (r) => (ranked.includes(r) ? { p: 2, ...below } : recentKey(r)));
}

/**
 * Few chats: read them through the chat index. Many chats: sample the app's newest messages and go
 * back in time slices whose first one should just fill the ranked window; when matches are dense
 * enough, walk the slices newest first, else let the full-text and trigram indexes find the (few)
 * matches of each slice.
 */
async function walkFor(deps: SearchDeps, t: Executor, s: MessageSearch): Promise<Pick<MessageSearch, 'walk' | 'firstSliceMs' | 'oldestMs' | 'textShare'>> {
  if (s.chatId !== undefined || (await countMyChats(t, s.appId, s.userId)) <= deps.config.SEARCH_PER_CHAT_MAX) return { walk: 'chats' };
  const { hits, textHits, spanMs, oldestMs } = await sampleHits(t, s, SAMPLE);
  const rowsNeeded = (deps.config.SEARCH_RANK_WINDOW * SAMPLE) / Math.max(hits, 1);
  return {
    walk: s.query && rowsNeeded > WALK_BUDGET_ROWS ? 'index' : 'slices',
    firstSliceMs: Math.max(60_000, (2 * spanMs * rowsNeeded) / SAMPLE),
    oldestMs,
    textShare: textHits / SAMPLE,
  };
}

/**
 * Per query word made of letters and digits, the dictionary words that contain it: the index walk
 * then finds its messages exactly through their runs (else through trigrams).
 */
async function runsOf(t: Executor, words: string[]): Promise<(string[] | null)[]> {
  const fragments = words.map((w) => (isRunFragment(w) ? w.toLowerCase() : null));
  const found = await wordsContaining(
    t,
    fragments.filter((f): f is string => f !== null),
    RUN_WORDS_MAX,
  );
  return fragments.map((f) => (f === null ? null : (found.shift() ?? null)));
}

/** Messages of the caller's chats that match, as the caller may see them. */
export async function searchMessages(deps: SearchDeps, auth: AccessClaims, q: MessageSearchQuery): Promise<Page<MessageHit>> {
  const query = q.q ? parseQuery(q.q) : null;
  const limit = q.limit ?? DEFAULT_LIMIT;
  const cursor = decodeCursor(Cursor, q.cursor);
  const terms = query ? highlightTerms(query) : [];
  return timed(deps.metrics, 'messages', () =>
    readOnly(deps, async (t) => {
      const base: MessageSearch = { ...q, appId: auth.app, userId: auth.sub, query, walk: 'chats' };
      const search: MessageSearch = { ...base, ...(await walkFor(deps, t, base)) };
      if (search.walk === 'index' && query) search.runs = await runsOf(t, query.words);
      if (query === null || q.sort === 'recent' || cursor?.p === 2) {
        return pageOf(await newest(t, search, cursor, limit + 1), limit, terms, recentKey);
      }
      return rankedPage(t, search, cursor, limit, deps.config.SEARCH_RANK_WINDOW, terms);
    }),
  );
}
