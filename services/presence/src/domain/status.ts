import type { OwnPresence, SetPresenceBody } from '@chat/contracts';
import type { PresenceDeps } from '../deps.js';
import type { UserRef } from '../store/devices.store.js';
import { savePreference } from '../store/presence.store.js';
import { settle } from './transitions.js';

/**
 * Sets the user's chosen status (and custom status, unless absent). The row lock orders
 * concurrent choices of one user the same way in PostgreSQL and Redis.
 */
export async function doSetStatus(deps: PresenceDeps, ref: UserRef, body: SetPresenceBody): Promise<OwnPresence> {
  const { pref, outcome } = await deps.platform.db.tx(async (t) => {
    const saved = await savePreference(t, ref.appId, ref.userId, body.status, body.customStatus);
    return { pref: saved, outcome: await deps.live.setStatus(ref, saved.status, saved.customStatus, false) };
  });
  await settle(deps, ref, outcome, true);
  const { seenAs } = await deps.live.own(ref);
  return { userId: ref.userId, status: pref.status, customStatus: pref.customStatus, seenAs };
}
