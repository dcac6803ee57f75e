import type { Presence } from '@chat/contracts';
import type { PresenceDeps } from '../deps.js';
import { listLastSeen } from '../store/presence.store.js';
import { type PresenceAccess, accessOf } from './privacy.js';

type Published = Awaited<ReturnType<PresenceDeps['live']['published']>>[number];

/** When each offline user was last seen: from Redis while it holds it, else from PostgreSQL. */
async function lastSeenOf(
  deps: PresenceDeps,
  appId: string,
  ids: string[],
  live: Published[],
  wanted: (id: string) => boolean,
): Promise<(i: number) => Date | undefined> {
  const missing = ids.filter((id, i) => wanted(id) && live[i]!.status === 'offline' && !live[i]!.leftAt);
  const stored = missing.length > 0 ? await listLastSeen(deps.platform.db, appId, missing) : new Map<string, Date>();
  return (i) => live[i]!.leftAt ?? stored.get(ids[i]!);
}

/** Offline, with the last-seen time only where the viewer may see it; unknown and blocked users look alike. */
function visiblePresence(userId: string, access: PresenceAccess, live: Published, lastSeen: Date | undefined): Presence {
  if (!access.known || access.blocked || live.status === 'offline') {
    const shown = access.known && !access.blocked && access.canSeeLastSeen ? lastSeen : undefined;
    return shown ? { userId, status: 'offline', lastSeenAt: shown.toISOString() } : { userId, status: 'offline' };
  }
  return live.customStatus ? { userId, status: live.status, customStatus: live.customStatus } : { userId, status: live.status };
}

/**
 * Presence of each user (in the order asked, once each) as `viewerId` may see it, and which of
 * them the viewer must get no live updates of: everyone but the known, non-deleted users of the
 * viewer's app with no block either way (the user service answers only for the app asked).
 */
export async function listPresences(
  deps: PresenceDeps,
  appId: string,
  viewerId: string,
  userIds: string[],
): Promise<{ presences: Presence[]; hidden: string[] }> {
  const ids = [...new Set(userIds)];
  const access = await accessOf(deps, appId, viewerId, ids);
  const live = await deps.live.published(ids.map((userId) => ({ appId, userId })));
  const lastSeen = await lastSeenOf(deps, appId, ids, live, (id) => access(id).canSeeLastSeen);
  return {
    presences: ids.map((id, i) => visiblePresence(id, access(id), live[i]!, lastSeen(i))),
    hidden: ids.filter((id) => !access(id).known || access(id).blocked),
  };
}

/** Last-seen times without privacy (the caller applies its own): now for a user seen online, null when never seen. */
export async function listRawLastSeen(deps: PresenceDeps, appId: string, userIds: string[]): Promise<{ userId: string; lastSeenAt: string | null }[]> {
  const ids = [...new Set(userIds)];
  const live = await deps.live.published(ids.map((userId) => ({ appId, userId })));
  const lastSeen = await lastSeenOf(deps, appId, ids, live, () => true);
  const now = new Date().toISOString();
  return ids.map((userId, i) => ({ userId, lastSeenAt: live[i]!.status !== 'offline' ? now : (lastSeen(i)?.toISOString() ?? null) }));
}
