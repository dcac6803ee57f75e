import { ForbiddenError, NotFoundError } from '@chat/service-kit';
import { hashToken } from '../crypto.js';
import type { AuthDeps } from '../deps.js';
import { DEFAULT_APP_ID } from '../store/apps.store.js';
import { consumeOneTimeToken, voidOneTimeTokens } from '../store/one-time-tokens.store.js';
import { findUserByEmail, lockUser, updatePasswordHash } from '../store/users.store.js';
import { checkOwnPassword } from './accounts.js';
import { invalidTokenError, issuePasswordReset } from './email-tokens.js';
import { doRevokeSessions } from './sessions.js';
import { hashPassword } from './users.js';

/**
 * Changes the password, voids pending reset links and revokes every other session of the account.
 * A wrong current password is 403 and counted per account (429 past the limit).
 */
export async function changePassword(
  deps: AuthDeps,
  appId: string,
  userId: string,
  sessionId: string,
  currentPassword: string,
  newPassword: string,
): Promise<void> {
  await checkOwnPassword(deps, appId, userId, currentPassword, () => new ForbiddenError('current password is wrong'));
  const newHash = await hashPassword(deps, newPassword);
  await deps.platform.tx(async (t) => {
    if (!(await lockUser(t, appId, userId))) throw new NotFoundError('user not found');
    await updatePasswordHash(t, userId, newHash);
    await voidOneTimeTokens(t, userId, 'reset_password');
    await doRevokeSessions(t, deps, userId, appId, 'password_changed', { except: sessionId });
  });
}

/**
 * Always answers the same way; the lookup and the mail happen after the response, so neither the
 * answer nor its timing tells whether the address has an account. Only a verified address gets a
 * reset link: an address someone typed at sign-up without owning it must not be able to take the
 * account over.
 */
export function requestPasswordReset(deps: AuthDeps, email: string): void {
  void (async () => {
    const user = await findUserByEmail(deps.platform.db, DEFAULT_APP_ID, email);
    if (!user?.email || !user.emailVerified || !user.passwordHash) return;
    const mail = await deps.platform.tx((t) => issuePasswordReset(t, deps, user.id, user.email!));
    await mail.send();
  })().catch((err: unknown) => deps.platform.logger.error('password reset failed', { err: err instanceof Error ? err.message : String(err) }));
}

/** Sets a new password with a reset token, voids any other reset link and revokes every session of the account. */
export async function resetPassword(deps: AuthDeps, token: string, newPassword: string): Promise<void> {
  const newHash = await hashPassword(deps, newPassword);
  await deps.platform.tx(async (t) => {
    const row = await consumeOneTimeToken(t, hashToken(token), 'reset_password');
    if (!row) throw invalidTokenError();
    await updatePasswordHash(t, row.userId, newHash);
    await voidOneTimeTokens(t, row.userId, 'reset_password');
    await doRevokeSessions(t, deps, row.userId, row.appId, 'password_reset');
  });
}
