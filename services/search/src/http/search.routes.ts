import { searchRoutes } from '@chat/contracts';
import type { MountRoute } from '@chat/service-kit';
import type { SearchDeps } from '../deps.js';
import { searchAll } from '../domain/search-all.js';
import { searchChats } from '../domain/search-chats.js';
import { searchMessages } from '../domain/search-messages.js';
import { searchUsers } from '../domain/search-users.js';

export function mountSearchRoutes(mount: MountRoute, deps: SearchDeps): void {
  mount(searchRoutes.all, ({ auth, query }) => searchAll(deps, auth, query));
  mount(searchRoutes.messages, ({ auth, query }) => searchMessages(deps, auth, query));
  mount(searchRoutes.users, ({ auth, query }) => searchUsers(deps, auth, query));
  mount(searchRoutes.chats, ({ auth, query }) => searchChats(deps, auth, query));
}
