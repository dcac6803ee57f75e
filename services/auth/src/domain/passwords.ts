import { ForbiddenError, NotFoundError } from '@chat/service-kit';
import { hashToken } from '../crypto.js';
import type { AuthDeps } from '../deps.js';
import { DEFAULT_APP_ID } from '../store/apps.store.js';
import { consumeOneTimeToken } from '../store/one-time-tokens.store.js';
import { findUserByEmail, lockUser, updatePasswordHash } from '../store/users.store.js';
import { invalidTokenError, issuePasswordReset } from './email-tokens.js';
import { doRevokeSessions } from './sessions.js';
import { hashPassword, passwordMatches } from './users.js';

/** Changes the password and revokes every other session of the account. */
export async function changePassword(deps: AuthDeps, appId: string, userId: string, sessionId: string, currentPassword: string, newPassword: string): Promise<void> {
  const newHash = await hashPassword(deps, newPassword);
  const user = await lockUser(deps.platform.db, appId, userId);
  if (!user) throw new NotFoundError('user not found');
  if (!(await passwordMatches(deps, currentPassword, user.passwordHash))) throw new ForbiddenError('current password is wrong');
  await deps.platform.tx(async (t) => {
    await updatePasswordHash(t, userId, newHash);
    await doRevokeSessions(t, deps, userId, appId, 'password_changed', { except: sessionId });
  });
}

/**
 * Always answers the same way; the lookup and the mail happen after the response, so neither the
 * answer nor its timing tells whether the address has an account.
 */
export function requestPasswordReset(deps: AuthDeps, email: string): void {
  void (async () => {
    const user = await findUserByEmail(deps.platform.db, DEFAULT_APP_ID, email);
    if (!user?.email || !user.passwordHash) return;
    const mail = await deps.platform.tx((t) => issuePasswordReset(t, deps, user.id, user.email!));
    await mail.send();
  })().catch((err: unknown) => deps.platform.logger.error('password reset failed', { err: err instanceof Error ? err.message : String(err) }));
}

/** Sets a new password with a reset token and revokes every session of the account. */
export async function resetPassword(deps: AuthDeps, token: string, newPassword: string): Promise<void> {
  const newHash = await hashPassword(deps, newPassword);
  await deps.platform.tx(async (t) => {
    const row = await consumeOneTimeToken(t, hashToken(token), 'reset_password');
    if (!row) throw invalidTokenError();
    await updatePasswordHash(t, row.userId, newHash);
    await doRevokeSessions(t, deps, row.userId, row.appId, 'password_reset');
  });
}
