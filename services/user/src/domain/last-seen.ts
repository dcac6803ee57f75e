import { type Profile, presenceRpcs } from '@chat/contracts';
import { AppError, callRpc } from '@chat/service-kit';
import type { UserDeps } from '../deps.js';

/** The last-seen time is optional in a profile: a slow presence service must not hold the profile up for long. */
const LAST_SEEN_TIMEOUT_MS = 500;

/**
 * Adds when the profile's owner was last seen (kept by the presence service) when `visible` (the
 * owner's privacy lets the viewer see it). Without an answer from presence the profile goes out
 * without it.
 */
export async function withLastSeen(deps: UserDeps, appId: string, profile: Profile, visible: boolean): Promise<Profile> {
  if (!visible) return profile;
  try {
    const timeout = Math.min(deps.config.RPC_TIMEOUT_MS, LAST_SEEN_TIMEOUT_MS);
    const { users } = await callRpc(deps.platform.bus, presenceRpcs.lastSeen, { appId, userIds: [profile.id] }, timeout);
    const lastSeenAt = users[0]?.lastSeenAt;
    return lastSeenAt ? { ...profile, lastSeenAt } : profile;
  } catch (err) {
    if (!(err instanceof AppError) || err.status < 500) throw err;
    deps.platform.logger.warn('profile served without last seen', { code: err.code, detail: err.detail });
    return profile;
  }
}
