import { type AccessClaims, type MessageHit, type MessageSearchQuery, MessageType, Timestamp, Uuid, z } from '@chat/contracts';
import type { Executor } from '@chat/service-kit';
import type { SearchDeps } from '../deps.js';
import { timed } from '../metrics.js';
import { type MessageRow, type MessageSearch, type RecentKey, countMyChats, newestMatches, sampleHits } from '../store/message-search.store.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { highlightTerms, parseQuery } from './query.js';
import { readOnly } from './read-only.js';
import { snippetOf } from './snippet.js';

const DEFAULT_LIMIT = 20;
const HOUR_MS = 3_600_000;
/** Each time slice reaches this many times further back than the one before (then everything older). */
const SLICE_GROWTH = 4;
const SLICES = 6;
const MIN_UUID = '00000000-0000-0000-0000-000000000000';
/** How many of the app's newest messages are sampled to tell a common match from a rare one. */
const SAMPLE = 5000;
/** A newest-first walk expected to read more rows than this to fill the ranked window loses to the text indexes. */
const WALK_BUDGET_ROWS = 50_000;

/** Phase 1 pages through the ranked window, phase 2 through older matches, newest first. */
const Cursor = z.union([
  z.object({ p: z.literal(1), s: z.number().int(), t: Timestamp, id: Uuid }),
  z.object({ p: z.literal(2), t: Timestamp, id: Uuid }),
]);
type Ranked = { s: number; t: string; id: string };

export interface Page<T> {
  data: T[];
  page: { nextCursor: string | null; hasMore: boolean };
}

/**
 * The newest `limit` matches below `key`. A common match over many chats goes back in growing time
 * slices, so it stops after a few recent slices instead of fetching every match.
 */
async function newest(t: Executor, s: MessageSearch, key: RecentKey | undefined, limit: number): Promise<MessageRow[]> {
  if (s.walk !== 'slices') return newestMatches(t, s, { below: key }, limit);
  const anchor = key ? Date.parse(key.t) : Date.now();
  const out: MessageRow[] = [];
  let below = key;
  const reach = Array.from({ length: SLICES }, (_, i) => (s.firstSliceMs ?? HOUR_MS) * SLICE_GROWTH ** i);
  for (const ms of [...reach, null]) {
    const since = ms === null ? undefined : new Date(anchor - ms).toISOString();
    out.push(...(await newestMatches(t, s, { below, since }, limit - out.length)));
    if (out.length >= limit || !since) break;
    below = { t: since, id: MIN_UUID };
  }
  return out;
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
  const floor = matches.reduce<MessageRow | undefined>((old, r) => (!old || r.createdAt < old.createdAt || (r.createdAt === old.createdAt && r.id < old.id) ? r : old), undefined);
  if (ranked.length > limit || matches.length < window || !floor) {
    return pageOf(ranked, limit, terms, (r) => ({ p: 1, s: r.score, t: r.createdAt, id: r.id }));
  }
  const below = { t: floor.createdAt, id: floor.id };
  const older = await newest(t, s, below, limit + 1 - ranked.length);
  return pageOf([...ranked, ...older], limit, terms, (r) => (ranked.includes(r) ? { p: 2, ...below } : recentKey(r)));
}

/**
 * Few chats: read them through the chat index. Many chats: sample the app's newest messages; when
 * matches are dense enough there, walk back in time slices whose first one should just fill the
 * ranked window, else let the full-text and trigram indexes find the (few) matches.
 */
async function walkFor(deps: SearchDeps, t: Executor, s: MessageSearch): Promise<Pick<MessageSearch, 'walk' | 'firstSliceMs'>> {
  if (s.chatId !== undefined || (await countMyChats(t, s.appId, s.userId)) <= deps.config.SEARCH_PER_CHAT_MAX) return { walk: 'chats' };
  const { hits, spanMs } = await sampleHits(t, s, SAMPLE);
  const rowsNeeded = (deps.config.SEARCH_RANK_WINDOW * SAMPLE) / Math.max(hits, 1);
  if (s.query && rowsNeeded > WALK_BUDGET_ROWS) return { walk: 'index' };
  return { walk: 'slices', firstSliceMs: Math.max(60_000, (2 * spanMs * rowsNeeded) / SAMPLE) };
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
      if (query === null || q.sort === 'recent' || cursor?.p === 2) {
        return pageOf(await newest(t, search, cursor, limit + 1), limit, terms, recentKey);
      }
      return rankedPage(t, search, cursor, limit, deps.config.SEARCH_RANK_WINDOW, terms);
    }),
  );
}
