import { searchRoutes } from '@chat/contracts';
import { type MountRoute, createLimiter } from '@chat/service-kit';
import type { SearchDeps } from '../deps.js';
import { searchAll } from '../domain/search-all.js';
import { searchChats } from '../domain/search-chats.js';
import { searchMessages } from '../domain/search-messages.js';
import { searchUsers } from '../domain/search-users.js';
import { searchRateLimits } from '../rate-limits.js';

/** An express middleware (typed through the kit: this service does not depend on express itself). */
type Middleware = ReturnType<typeof createLimiter>;
type Request = Parameters<Middleware>[0];

const caller = (req: Request) => `user:${String(req.res?.locals.auth?.sub)}`;
/** `GET /search` looks for users too unless `type` names another kind. */
const findsUsers = (req: Request) => req.query.type !== 'chats' && req.query.type !== 'messages';

export function mountSearchRoutes(mount: MountRoute, deps: SearchDeps): void {
  const { platform } = deps;
  const userSearch = createLimiter(platform.redis, platform.keys, { name: 'user-search', rule: searchRateLimits(deps.config).userSearch, key: caller });
  const userSearchWhenAll: Middleware = (req, res, next) => (findsUsers(req) ? userSearch(req, res, next) : next());
  mount(searchRoutes.all, ({ auth, query }) => searchAll(deps, auth, query), userSearchWhenAll);
  mount(searchRoutes.messages, ({ auth, query }) => searchMessages(deps, auth, query));
  mount(searchRoutes.users, ({ auth, query }) => searchUsers(deps, auth, query), userSearch);
  mount(searchRoutes.chats, ({ auth, query }) => searchChats(deps, auth, query));
}
