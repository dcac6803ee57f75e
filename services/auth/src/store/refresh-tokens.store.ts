import type { Executor } from '@chat/service-kit';

export interface RefreshTokenRow {
  sessionId: string;
  expiresAt: Date;
  usedAt: Date | null;
  userId: string;
  appId: string;
  sessionRevokedAt: Date | null;
  sessionExpiresAt: Date;
}

export async function insertRefreshToken(t: Executor, tokenHash: string, sessionId: string, expiresAt: Date): Promise<void> {
  await t.none('INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES ($1, $2, $3)', [tokenHash, sessionId, expiresAt]);
}

/** Locks the token row (and reads its session) so two concurrent uses are serialised. */
export function lockRefreshToken(t: Executor, tokenHash: string): Promise<RefreshTokenRow | null> {
  return t.oneOrNone<RefreshTokenRow>(
    `SELECT rt.session_id AS "sessionId", rt.expires_at AS "expiresAt", rt.used_at AS "usedAt",
            s.user_id AS "userId", s.app_id AS "appId", s.revoked_at AS "sessionRevokedAt", s.expires_at AS "sessionExpiresAt"
     FROM refresh_tokens rt JOIN sessions s ON s.id = rt.session_id
     WHERE rt.token_hash = $1 FOR UPDATE OF rt`,
    [tokenHash],
  );
}

export async function markRefreshTokenUsed(t: Executor, tokenHash: string): Promise<void> {
  await t.none('UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1', [tokenHash]);
}
