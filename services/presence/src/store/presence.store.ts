import type { ChosenStatus } from '@chat/contracts';
import type { Executor } from '@chat/service-kit';

export interface Preference {
  userId: string;
  status: ChosenStatus;
  customStatus: string | null;
}

const PREFERENCE = 'user_id AS "userId", status, custom_status AS "customStatus"';

/** Stores the chosen status; `customStatus` undefined keeps the stored one. */
export function savePreference(t: Executor, appId: string, userId: string, status: ChosenStatus, customStatus: string | null | undefined): Promise<Preference> {
  return t.one<Preference>(
    `INSERT INTO user_presence (app_id, user_id, status, custom_status) VALUES ($<appId>, $<userId>, $<status>, $<custom>)
     ON CONFLICT (app_id, user_id) DO UPDATE SET status = EXCLUDED.status, updated_at = now(),
       custom_status = CASE WHEN $<keep> THEN user_presence.custom_status ELSE EXCLUDED.custom_status END
     RETURNING ${PREFERENCE}`,
    { appId, userId, status, custom: customStatus ?? null, keep: customStatus === undefined },
  );
}

export function findPreference(t: Executor, appId: string, userId: string): Promise<Preference | null> {
  return t.oneOrNone<Preference>(`SELECT ${PREFERENCE} FROM user_presence WHERE app_id = $<appId> AND user_id = $<userId>`, { appId, userId });
}

/**
 * Keeps when the user was last seen. `left` (the user went offline) sets exactly when they left;
 * other changes only move it forward, as writes from several replicas may land out of order.
 */
export async function recordLastSeen(t: Executor, appId: string, userId: string, at: Date, left: boolean): Promise<void> {
  await t.none(
    `INSERT INTO user_presence (app_id, user_id, last_seen_at) VALUES ($<appId>, $<userId>, $<at>)
     ON CONFLICT (app_id, user_id) DO UPDATE SET
       last_seen_at = CASE WHEN $<left> THEN EXCLUDED.last_seen_at ELSE GREATEST(user_presence.last_seen_at, EXCLUDED.last_seen_at) END`,
    { appId, userId, at, left },
  );
}

export async function listLastSeen(t: Executor, appId: string, userIds: string[]): Promise<Map<string, Date>> {
  const rows = await t.manyOrNone<{ userId: string; lastSeenAt: Date }>(
    `SELECT user_id AS "userId", last_seen_at AS "lastSeenAt" FROM user_presence
     WHERE app_id = $<appId> AND user_id = ANY($<userIds>::uuid[]) AND last_seen_at IS NOT NULL`,
    { appId, userIds },
  );
  return new Map(rows.map((r) => [r.userId, r.lastSeenAt]));
}

export async function deleteUserPresence(t: Executor, appId: string, userId: string): Promise<void> {
  await t.none('DELETE FROM user_presence WHERE app_id = $<appId> AND user_id = $<userId>', { appId, userId });
}
