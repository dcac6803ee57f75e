import { userRpcs } from '@chat/contracts';
import { callRpc } from '@chat/service-kit';
import type { PresenceDeps } from '../deps.js';
import type { UserRef } from '../store/devices.store.js';

/** What one viewer may see of one user's presence. Unknown and deleted users are not `known`. */
export interface PresenceAccess {
  known: boolean;
  /** Either of the two blocked the other: the viewer sees the user offline and gets no live updates. */
  blocked: boolean;
  canSeeLastSeen: boolean;
}

const UNKNOWN: PresenceAccess = { known: false, blocked: false, canSeeLastSeen: false };

/** The user service's privacy rule for `viewerId` and each user (one rpc for up to 500 users). */
export async function accessOf(deps: PresenceDeps, appId: string, viewerId: string, userIds: string[]): Promise<(id: string) => PresenceAccess> {
  const { users } = await callRpc(deps.platform.bus, userRpcs.privacy, { appId, userIds, viewerId }, deps.config.RPC_TIMEOUT_MS);
  const byId = new Map(
    users.filter((u) => !u.deleted && u.viewer).map((u) => [u.userId, { known: true, blocked: u.viewer!.blocked, canSeeLastSeen: u.viewer!.canSeeLastSeen }]),
  );
  return (id) => byId.get(id) ?? UNKNOWN;
}

/**
 * A broadcast reaches every watcher at once, so it may carry the last-seen time only when the
 * user shows it to everyone. When the user service cannot say, it carries none.
 */
export async function lastSeenIsPublic(deps: PresenceDeps, ref: UserRef): Promise<boolean> {
  try {
    const { users } = await callRpc(deps.platform.bus, userRpcs.privacy, { appId: ref.appId, userIds: [ref.userId] }, deps.config.RPC_TIMEOUT_MS);
    const user = users[0];
    return user !== undefined && !user.deleted && user.privacy.lastSeen === 'everyone';
  } catch (err) {
    deps.platform.logger.warn('last-seen privacy unavailable, broadcasting without it', { err: err instanceof Error ? err.message : String(err) });
    return false;
  }
}
