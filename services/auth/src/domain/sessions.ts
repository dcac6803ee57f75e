import { type Session, type Tokens, authEvents } from '@chat/contracts';
import {
  ACCESS_TOKEN_ALGORITHM,
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_ISSUER,
  type Executor,
  NotFoundError,
  UnauthorizedError,
  newId,
  recordEvent,
} from '@chat/service-kit';
import jwt from 'jsonwebtoken';
import { hashToken, randomToken } from '../crypto.js';
import type { AuthDeps, ClientInfo } from '../deps.js';
import { insertRefreshToken, lockRefreshToken, markRefreshTokenUsed } from '../store/refresh-tokens.store.js';
import {
  type SessionRow,
  findActiveSession,
  insertSession,
  listActiveSessions,
  listRecentlyRevoked as listRecentlyRevokedSessions,
  revokeSessions,
  touchSession,
} from '../store/sessions.store.js';
import type { UserRow } from '../store/users.store.js';

/** Revocations outlive every access token issued before them (plus clock skew). */
function revocationTtlS(deps: AuthDeps): number {
  return deps.config.ACCESS_TOKEN_TTL_S + 60;
}

function signAccessToken(deps: AuthDeps, user: { id: string; appId: string }, sessionId: string): { token: string; expiresAt: Date } {
  const ttl = deps.config.ACCESS_TOKEN_TTL_S;
  const token = jwt.sign({ sub: user.id, app: user.appId, sid: sessionId }, deps.signingKey.privateKey, {
    algorithm: ACCESS_TOKEN_ALGORITHM,
    keyid: deps.signingKey.kid,
    expiresIn: ttl,
    issuer: ACCESS_TOKEN_ISSUER,
    audience: ACCESS_TOKEN_AUDIENCE,
    jwtid: newId(),
  });
  return { token, expiresAt: new Date(Date.now() + ttl * 1000) };
}

async function issueTokens(t: Executor, deps: AuthDeps, user: { id: string; appId: string }, sessionId: string, sessionExpiresAt: Date): Promise<Tokens> {
  const refreshToken = randomToken(32);
  await insertRefreshToken(t, hashToken(refreshToken), sessionId, sessionExpiresAt);
  const access = signAccessToken(deps, user, sessionId);
  return {
    accessToken: access.token,
    accessTokenExpiresAt: access.expiresAt.toISOString(),
    refreshToken,
    refreshTokenExpiresAt: sessionExpiresAt.toISOString(),
  };
}

/** Opens a session for `user` and issues its first tokens; call inside a transaction. */
export async function doCreateSession(t: Executor, deps: AuthDeps, user: UserRow, client: ClientInfo): Promise<Tokens> {
  const id = newId();
  const expiresAt = new Date(Date.now() + deps.config.REFRESH_TOKEN_TTL_S * 1000);
  await insertSession(t, { id, appId: user.appId, userId: user.id, ...client, expiresAt });
  return issueTokens(t, deps, user, id, expiresAt);
}

/**
 * Rotates a refresh token. A token presented a second time means it leaked: the whole session is
 * revoked (committed) and the caller gets 401.
 */
export async function doRefresh(deps: AuthDeps, refreshToken: string, client: ClientInfo): Promise<Tokens> {
  const tokenHash = hashToken(refreshToken);
  const outcome = await deps.platform.tx(async (t) => {
    const row = await lockRefreshToken(t, tokenHash);
    if (!row) return { kind: 'invalid' as const };
    if (row.usedAt) {
      await doRevokeSessions(t, deps, row.userId, row.appId, 'refresh_token_reuse', { only: row.sessionId });
      return { kind: 'reused' as const };
    }
    if (row.sessionRevokedAt || row.expiresAt <= new Date() || row.sessionExpiresAt <= new Date()) return { kind: 'invalid' as const };
    await markRefreshTokenUsed(t, tokenHash);
    await touchSession(t, row.sessionId, client.ip, client.userAgent);
    return { kind: 'ok' as const, tokens: await issueTokens(t, deps, { id: row.userId, appId: row.appId }, row.sessionId, row.sessionExpiresAt) };
  });
  if (outcome.kind !== 'ok') throw new UnauthorizedError('refresh token is not valid');
  return outcome.tokens;
}

/**
 * Revokes sessions of a user: in PostgreSQL, in the shared Redis revocation list (so their access
 * tokens stop at once everywhere) and as `auth.session.revoked` events. Redis is written inside the
 * transaction: if it fails nothing is committed, and a failed commit errs on the revoked side.
 */
export async function doRevokeSessions(
  t: Executor,
  deps: AuthDeps,
  userId: string,
  appId: string,
  reason: string,
  filter: { only?: string; except?: string } = {},
): Promise<string[]> {
  const ids = await revokeSessions(t, userId, reason, filter);
  await deps.platform.revocations.revoke(ids, revocationTtlS(deps));
  for (const sessionId of ids) await recordEvent(t, authEvents.sessionRevoked, appId, { userId, sessionId, reason });
  return ids;
}

export async function listSessions(deps: AuthDeps, appId: string, userId: string, currentSessionId: string): Promise<Session[]> {
  const rows = await listActiveSessions(deps.platform.db, appId, userId);
  return rows.map((s: SessionRow) => ({
    id: s.id,
    deviceName: s.deviceName,
    createdAt: s.createdAt.toISOString(),
    lastUsedAt: s.lastUsedAt.toISOString(),
    ip: s.ip,
    userAgent: s.userAgent,
    current: s.id === currentSessionId,
  }));
}

/** Revokes one of the caller's own sessions; another user's (or app's) session id is 404. */
export async function doRevokeOwnSession(deps: AuthDeps, appId: string, userId: string, sessionId: string, reason: string): Promise<void> {
  await deps.platform.tx(async (t) => {
    const session = await findActiveSession(t, appId, userId, sessionId);
    if (!session) throw new NotFoundError('session not found');
    await doRevokeSessions(t, deps, userId, appId, reason, { only: sessionId });
  });
}

/**
 * Rebuilds the Redis revocation list from PostgreSQL (Redis keeps nothing across restarts here),
 * so a restart or flush of Redis never revives a revoked session's access tokens, then marks the
 * list complete (until then every service refuses tokens it cannot check).
 */
export async function restoreRevocations(deps: AuthDeps): Promise<void> {
  const ttl = revocationTtlS(deps);
  const rows = await listRecentlyRevokedSessions(deps.platform.db, ttl);
  for (const row of rows) {
    const remaining = ttl - (Date.now() - row.revokedAt.getTime()) / 1000;
    if (remaining > 0) await deps.platform.revocations.revoke([row.id], remaining);
  }
  await deps.platform.revocations.markComplete();
}

/** Restores the revocation list whenever Redis comes back without it; checks every `intervalMs`. */
export function watchRevocations(deps: AuthDeps, intervalMs: number): { stop(): void } {
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      if (!(await deps.platform.revocations.isComplete())) {
        await restoreRevocations(deps);
        deps.platform.logger.warn('revocation list restored after Redis lost it');
      }
    } catch {
      // Redis or PostgreSQL is down: the next tick tries again, and verifiers fail closed meanwhile.
    } finally {
      busy = false;
    }
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
