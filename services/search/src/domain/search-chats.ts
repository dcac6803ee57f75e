import { type AccessClaims, type ChatHit, ChatType, type NameSearchQuery, Uuid, z } from '@chat/contracts';
import type { SearchDeps } from '../deps.js';
import { timed } from '../metrics.js';
import { findChats } from '../store/name-search.store.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { highlightTerms, parseQuery } from './query.js';
import { readOnly } from './read-only.js';
import type { Page } from './search-messages.js';
import { snippetOf } from './snippet.js';

const DEFAULT_LIMIT = 20;
const Cursor = z.object({ s: z.number().int(), id: Uuid });

/** Public groups and channels of the caller's app, and the caller's own chats, by name and description. */
export async function searchChats(deps: SearchDeps, auth: AccessClaims, q: NameSearchQuery): Promise<Page<ChatHit>> {
  const query = parseQuery(q.q);
  const terms = highlightTerms(query);
  const limit = q.limit ?? DEFAULT_LIMIT;
  const rows = await timed(deps.metrics, 'chats', () =>
    readOnly(deps, (t) => findChats(t, { appId: auth.app, userId: auth.sub, query }, decodeCursor(Cursor, q.cursor), limit + 1)),
  );
  const page = rows.slice(0, limit);
  const more = rows.length > limit;
  const last = page.at(-1);
  return {
    data: page.map((r) => ({
      id: r.id,
      type: ChatType.catch('group').parse(r.type),
      name: r.name,
      description: r.description,
      isPublic: r.isPublic,
      isMember: r.isMember,
      memberCount: r.memberCount,
      snippet: snippetOf([r.name, r.description].filter(Boolean).join(' — '), terms),
    })),
    page: { hasMore: more, nextCursor: more && last ? encodeCursor({ s: last.score, id: last.id }) : null },
  };
}
