import { type AccessClaims, type MessageHit, type MessageSearchQuery, MessageType, Timestamp, Uuid, z } from '@chat/contracts';
import type { SearchDeps } from '../deps.js';
import { timed } from '../metrics.js';
import { type MessageRow, type MessageSearch, searchRanked, searchRecent } from '../store/message-search.store.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { highlightTerms, parseQuery } from './query.js';
import { readOnly } from './read-only.js';
import { snippetOf } from './snippet.js';

const DEFAULT_LIMIT = 20;

/** Phase 1 pages through the ranked window, phase 2 through older matches, newest first. */
const Cursor = z.union([
  z.object({ p: z.literal(1), s: z.number().int(), t: Timestamp, id: Uuid }),
  z.object({ p: z.literal(2), t: Timestamp, id: Uuid }),
]);

export interface Page<T> {
  data: T[];
  page: { nextCursor: string | null; hasMore: boolean };
}

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

/** Messages of the caller's chats that match, as the caller may see them. */
export async function searchMessages(deps: SearchDeps, auth: AccessClaims, q: MessageSearchQuery): Promise<Page<MessageHit>> {
  const query = q.q ? parseQuery(q.q) : null;
  const search: MessageSearch = { ...q, appId: auth.app, userId: auth.sub, query };
  const limit = q.limit ?? DEFAULT_LIMIT;
  const cursor = decodeCursor(Cursor, q.cursor);
  const terms = query ? highlightTerms(query) : [];
  const recentKey = (r: MessageRow) => ({ p: 2, t: r.createdAt, id: r.id });
  const ranked = query !== null && q.sort !== 'recent';
  return timed(deps.metrics, 'messages', () =>
    readOnly(deps, async (t) => {
      if (!ranked || cursor?.p === 2) {
        return pageOf(await searchRecent(t, search, cursor, limit + 1), limit, terms, recentKey);
      }
      const window = deps.config.SEARCH_RANK_WINDOW;
      const first = await searchRanked(t, search, cursor, limit + 1, window);
      if (first.rows.length > limit || first.windowSize < window || !first.floor) {
        return pageOf(first.rows, limit, terms, (r) => ({ p: 1, s: r.score, t: r.createdAt, id: r.id }));
      }
      // The ranked window ends on this page: older matches fill it, newest first.
      const floor = first.floor;
      const older = await searchRecent(t, search, floor, limit + 1 - first.rows.length);
      return pageOf([...first.rows, ...older], limit, terms, (r) => (first.rows.includes(r) ? { p: 2, ...floor } : recentKey(r)));
    }),
  );
}
