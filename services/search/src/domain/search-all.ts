import type { AccessClaims, SearchAllQuery, SearchResults } from '@chat/contracts';
import { ValidationError } from '@chat/service-kit';
import type { SearchDeps } from '../deps.js';
import { searchChats } from './search-chats.js';
import { searchMessages } from './search-messages.js';
import { searchUsers } from './search-users.js';

/** First results of each kind when no `type` narrows the search. */
const PER_KIND = 5;

/** Users, chats and messages at once (a few of each), or one kind with paging when `type` is given. */
export async function searchAll(deps: SearchDeps, auth: AccessClaims, q: SearchAllQuery): Promise<SearchResults> {
  if (!q.type && q.cursor !== undefined) throw new ValidationError([{ path: 'query.cursor', message: 'paging needs a type' }]);
  const base = { q: q.q, cursor: q.cursor, limit: q.type ? q.limit : (q.limit ?? PER_KIND) };
  const want = (kind: SearchAllQuery['type']) => !q.type || q.type === kind;
  const [users, chats, messages] = await Promise.all([
    want('users') ? searchUsers(deps, auth, base) : undefined,
    want('chats') ? searchChats(deps, auth, base) : undefined,
    want('messages') ? searchMessages(deps, auth, base) : undefined,
  ]);
  return { ...(users && { users }), ...(chats && { chats }), ...(messages && { messages }) };
}
