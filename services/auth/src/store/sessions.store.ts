import type { Executor } from '@chat/service-kit';

export interface SessionRow {
  id: string;
  appId: string;
  userId: string;
  deviceName: string | null;
  ip: string | null;
  userAgent: string | null;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}

const COLUMNS = `id, app_id AS "appId", user_id AS "userId", device_name AS "deviceName", ip, user_agent AS "userAgent",
  created_at AS "createdAt", last_used_at AS "lastUsedAt", expires_at AS "expiresAt", revoked_at AS "revokedAt"`;

export interface NewSession {
  id: string;
  appId: string;
  userId: string;
  deviceName: string | null;
  ip: string | null;
  userAgent: string | null;
  expiresAt: Date;
}

export async function insertSession(t: Executor, s: NewSession): Promise<void> {
  await t.none(`INSERT INTO sessions (id, app_id, user_id, device_name, ip, user_agent, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
    s.id,
    s.appId,
    s.userId,
    s.deviceName,
    s.ip,
    s.userAgent,
    s.expiresAt,
  ]);
}

export function listActiveSessions(t: Executor, appId: string, userId: string): Promise<SessionRow[]> {
  return t.manyOrNone<SessionRow>(
    `SELECT ${COLUMNS} FROM sessions WHERE app_id = $1 AND user_id = $2 AND revoked_at IS NULL AND expires_at > now()
     ORDER BY last_used_at DESC, id`,
    [appId, userId],
  );
}

export function findActiveSession(t: Executor, appId: string, userId: string, id: string): Promise<SessionRow | null> {
  return t.oneOrNone<SessionRow>(`SELECT ${COLUMNS} FROM sessions WHERE app_id = $1 AND user_id = $2 AND id = $3 AND revoked_at IS NULL`, [appId, userId, id]);
}

export async function touchSession(t: Executor, id: string, ip: string | null, userAgent: string | null): Promise<void> {
  await t.none('UPDATE sessions SET last_used_at = now(), ip = COALESCE($2, ip), user_agent = COALESCE($3, user_agent) WHERE id = $1', [id, ip, userAgent]);
}

/**
 * Revokes the user's active sessions matching the filter; returns the ids it revoked.
 * `only` limits it to one session, `except` spares one (the caller's own).
 */
export function revokeSessions(t: Executor, userId: string, reason: string, filter: { only?: string; except?: string } = {}): Promise<string[]> {
  return t.map(
    `UPDATE sessions SET revoked_at = now(), revoke_reason = $2
     WHERE user_id = $1 AND revoked_at IS NULL
       AND ($3::uuid IS NULL OR id = $3::uuid) AND ($4::uuid IS NULL OR id <> $4::uuid)
     RETURNING id`,
    [userId, reason, filter.only ?? null, filter.except ?? null],
    (r: { id: string }) => r.id,
  );
}

/** Sessions revoked within the last `seconds` (to rebuild the Redis revocation list on start). */
export function listRecentlyRevoked(t: Executor, seconds: number): Promise<{ id: string; revokedAt: Date }[]> {
  return t.manyOrNone(`SELECT id, revoked_at AS "revokedAt" FROM sessions WHERE revoked_at > now() - make_interval(secs => $1)`, [seconds]);
}
