import { type Presence, liveSubjects } from '@chat/contracts';
import { publishLive } from '@chat/service-kit';
import type { PresenceDeps } from '../deps.js';
import type { Outcome, UserRef } from '../store/devices.store.js';
import { findPreference, recordLastSeen } from '../store/presence.store.js';
import { lastSeenIsPublic } from './privacy.js';

type Change = Extract<Outcome, { kind: 'publish' }>;

/**
 * Follows a live-presence outcome to its end: loads the chosen status when Redis lacks it (a new
 * user, or Redis lost its data), asks for the last-seen privacy before an offline goes out, and
 * publishes the change. `immediate`: an offline needs no grace period (the user chose invisible).
 */
export async function settle(deps: PresenceDeps, ref: UserRef, first: Outcome, immediate: boolean): Promise<void> {
  let outcome = first;
  let lastSeenPublic = false;
  for (let round = 0; round < 3; round++) {
    if (outcome.kind === 'nopref') {
      await loadPreference(deps, ref);
      outcome = await deps.live.reconcile(ref, immediate, false);
    } else if (outcome.kind === 'offline_due') {
      lastSeenPublic = await lastSeenIsPublic(deps, ref);
      outcome = await deps.live.reconcile(ref, immediate, true);
    } else {
      break;
    }
  }
  if (outcome.kind === 'publish') await announce(deps, ref, outcome, lastSeenPublic);
}

async function loadPreference(deps: PresenceDeps, ref: UserRef): Promise<void> {
  const stored = await findPreference(deps.platform.db, ref.appId, ref.userId);
  await deps.live.loadPreference(ref, stored?.status ?? 'online', stored?.customStatus ?? null);
}

/** The presence frame every watcher of the user gets. */
export function presenceFrame(ref: UserRef, change: Change, lastSeenPublic: boolean): Presence {
  const d: Presence = { userId: ref.userId, status: change.status };
  if (change.status === 'offline' && lastSeenPublic) d.lastSeenAt = change.at.toISOString();
  if (change.customStatus) d.customStatus = change.customStatus;
  return d;
}

/** Publishes at once (so changes go out in the order Redis decided them), then keeps the last-seen time. */
async function announce(deps: PresenceDeps, ref: UserRef, change: Change, lastSeenPublic: boolean): Promise<void> {
  const { bus, db, logger } = deps.platform;
  publishLive(bus, liveSubjects.presence(ref.appId, ref.userId), { op: 'event', t: 'presence', d: presenceFrame(ref, change, lastSeenPublic) });
  deps.metrics.transitions.inc({ status: change.status });
  await recordLastSeen(db, ref.appId, ref.userId, change.at, change.status === 'offline').catch((err: Error) =>
    logger.error('last seen not stored', { err: err.message }),
  );
}
