import { type AccountRecord, DELETED_DISPLAY_NAME, type PasswordCheck } from '@chat/contracts';
import { type AppError, RateLimitedError } from '@chat/service-kit';
import type { AuthDeps } from '../deps.js';
import { authRateLimits } from '../rate-limits.js';
import { deleteOneTimeTokensOf } from '../store/one-time-tokens.store.js';
import { deletePhoneCodes } from '../store/phone-codes.store.js';
import { type UserRow, eraseCredentials, findUserById, lockUser } from '../store/users.store.js';
import { doRevokeSessions } from './sessions.js';
import { passwordMatches } from './users.js';

function toAccountRecord(row: UserRow): AccountRecord {
  return {
    id: row.id,
    appId: row.appId,
    username: row.username,
    displayName: row.displayName,
    ...(row.email ? { email: row.email } : {}),
    ...(row.phone ? { phone: row.phone } : {}),
    emailVerified: row.emailVerified,
    phoneVerified: row.phoneVerified,
    ...(row.externalId ? { externalId: row.externalId } : {}),
    deleted: row.deletedAt !== null,
    createdAt: row.createdAt.toISOString(),
  };
}

/** One account of an app for another service; null when unknown there. */
export async function getAccount(deps: AuthDeps, appId: string, userId: string): Promise<AccountRecord | null> {
  const row = await findUserById(deps.platform.db, appId, userId);
  return row ? toAccountRecord(row) : null;
}

/**
 * Checks an account's password for another service (before a destructive action). Wrong answers
 * are counted per account in Redis; past the limit the answer is `locked` until the window ends,
 * so a stolen access token cannot be used to guess the password.
 */
export async function checkAccountPassword(
  deps: AuthDeps,
  appId: string,
  userId: string,
  password: string,
): Promise<{ result: PasswordCheck; retryAfterS?: number }> {
  const { redis, keys, db } = deps.platform;
  const rule = authRateLimits(deps.config).passwordCheckPerUser;
  const key = keys.key('password-check-failures', userId);
  if (Number((await redis.get(key)) ?? 0) >= rule.limit) {
    const ttlMs = await redis.pTTL(key);
    return { result: 'locked', retryAfterS: Math.max(1, Math.ceil((ttlMs > 0 ? ttlMs : rule.windowMs) / 1000)) };
  }
  const user = await findUserById(db, appId, userId);
  const hash = user && user.deletedAt === null ? user.passwordHash : null;
  if (await passwordMatches(deps, password, hash)) return { result: 'valid' };
  await redis.multi().incr(key).pExpire(key, rule.windowMs, 'NX').exec();
  return { result: 'invalid' };
}

/**
 * Confirms the signed-in holder's password before a sensitive change (the access token alone is
 * not enough). A wrong one is counted with every other password check of the account: past the
 * limit the answer is 429 until the window ends, whatever the password. `wrong` builds the error
 * a wrong password gets.
 */
export async function checkOwnPassword(deps: AuthDeps, appId: string, userId: string, password: string, wrong: () => AppError): Promise<void> {
  const check = await checkAccountPassword(deps, appId, userId, password);
  if (check.result === 'locked') throw new RateLimitedError(check.retryAfterS ?? 60, 'too many wrong passwords, try again later');
  if (check.result === 'invalid') throw wrong();
}

/**
 * Removes the credentials of an account the user service deleted: every session is revoked (its
 * access tokens stop at once), email, phone, password and 2FA go, and login fails from then on.
 * Idempotent: an account already erased is left as it is.
 */
export async function doEraseAccount(deps: AuthDeps, appId: string, userId: string): Promise<void> {
  await deps.platform.tx(async (t) => {
    const user = await lockUser(t, appId, userId);
    if (!user || !(await eraseCredentials(t, userId, DELETED_DISPLAY_NAME))) return;
    await deleteOneTimeTokensOf(t, userId);
    await deletePhoneCodes(t, [userId]);
    await doRevokeSessions(t, deps, userId, appId, 'account_deleted');
  });
}
