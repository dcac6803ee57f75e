import { userRpcs } from '@chat/contracts';
import { serveRpc } from '@chat/service-kit';
import type { UserDeps } from '../deps.js';
import { getBlockStatus } from '../domain/blocks.js';
import { getPrivacy } from '../domain/privacy.js';

/** Chat, message, presence and search read privacy settings here, many users per call. */
export function servePrivacy(deps: UserDeps) {
  return serveRpc(deps.platform.bus, userRpcs.privacy, async ({ appId, userIds, viewerId }) => ({ users: await getPrivacy(deps, appId, userIds, viewerId) }));
}

/** They check blocks here before a direct chat, a message, a presence update or a search hit. */
export function serveBlockStatus(deps: UserDeps) {
  return serveRpc(deps.platform.bus, userRpcs.blockStatus, async ({ appId, pairs }) => ({ pairs: await getBlockStatus(deps, appId, pairs) }));
}
