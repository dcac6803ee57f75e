import { chatRpcs } from '@chat/contracts';
import { serveRpc } from '@chat/service-kit';
import type { ChatDeps } from '../deps.js';
import { authorize, getMembersPage, getUserChats } from '../domain/authorize.js';

/** The message, media and realtime services ask here whether a user may act in a chat (one indexed query). */
export function serveAuthorize(deps: ChatDeps) {
  return serveRpc(deps.platform.bus, chatRpcs.authorize, (q) => authorize(deps, q));
}

/** A chat's members, paged: fan-out and membership checks in other services. */
export function serveMembers(deps: ChatDeps) {
  return serveRpc(deps.platform.bus, chatRpcs.members, (q) => getMembersPage(deps, q));
}

/** A user's chat ids, paged: the realtime service subscribes a socket to them. */
export function serveUserChats(deps: ChatDeps) {
  return serveRpc(deps.platform.bus, chatRpcs.userChats, (q) => getUserChats(deps, q));
}
