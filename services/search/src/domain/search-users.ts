import { type AccessClaims, type NameSearchQuery, type UserHit, type UserPrivacy, Uuid, userRpcs, z } from '@chat/contracts';
import { callRpc } from '@chat/service-kit';
import type { SearchDeps } from '../deps.js';
import { timed } from '../metrics.js';
import { type UserRow, findUsers } from '../store/name-search.store.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { digest, normalizeEmail, normalizePhone } from './project-users.js';
import { readOnly } from './read-only.js';
import type { Page } from './search-messages.js';
import { snippetOf } from './snippet.js';

const DEFAULT_LIMIT = 20;
const Cursor = z.object({ tier: z.number().int().min(0).max(3), name: z.string().max(256), id: Uuid });

const looksLikeEmail = (s: string) => /^[^\s@]+@[^\s@]+$/.test(s);
const looksLikePhone = (s: string) => /^\+?[\d\s().-]{6,}$/.test(s);

/** Whether the viewer may find this user at all, and by how it matched. */
function findable(row: UserRow, p: UserPrivacy | undefined, matchedEmail: boolean, matchedPhone: boolean): boolean {
  if (!p || p.deleted || p.viewer?.blocked) return false;
  if (row.byName) return true;
  return (matchedEmail && p.privacy.discoverableByEmail) || (matchedPhone && p.privacy.discoverableByPhone);
}

/**
 * Users of the caller's app by username prefix or display name, or by an exact email or phone
 * number when they allow it; users either side blocked never appear.
 */
export async function searchUsers(deps: SearchDeps, auth: AccessClaims, q: NameSearchQuery): Promise<Page<UserHit>> {
  const text = q.q.replace(/^@/, '') || q.q;
  const email = looksLikeEmail(text);
  const phone = !email && looksLikePhone(text);
  const limit = q.limit ?? DEFAULT_LIMIT;
  const rows = await timed(deps.metrics, 'users', () =>
    readOnly(deps, (t) =>
      findUsers(
        t,
        { appId: auth.app, text, emailHash: email ? digest(normalizeEmail(text)) : null, phoneHash: phone ? digest(normalizePhone(text)) : null },
        decodeCursor(Cursor, q.cursor),
        limit + 1,
      ),
    ),
  );
  const page = rows.slice(0, limit);
  const privacy = page.length
    ? (await callRpc(deps.platform.bus, userRpcs.privacy, { appId: auth.app, userIds: page.map((r) => r.id), viewerId: auth.sub }, deps.config.RPC_TIMEOUT_MS))
        .users
    : [];
  const byId = new Map(privacy.map((p) => [p.userId, p]));
  const last = page.at(-1);
  const more = rows.length > limit;
  return {
    data: page
      .filter((r) => findable(r, byId.get(r.id), email, phone))
      .map((r) => ({ id: r.id, username: r.username, displayName: r.displayName, snippet: snippetOf(`${r.displayName} @${r.username}`, [text]) })),
    page: { hasMore: more, nextCursor: more && last ? encodeCursor({ tier: r0(last.tier), name: last.username.toLowerCase(), id: last.id }) : null },
  };
}

const r0 = (n: number) => Number(n);
