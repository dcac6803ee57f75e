import { randomInt } from 'node:crypto';
import { authEvents } from '@chat/contracts';
import { ConflictError, type Executor, NotFoundError, ServiceUnavailableError, ValidationError, recordEvent } from '@chat/service-kit';
import { hashToken, safeEqual } from '../crypto.js';
import type { AuthDeps } from '../deps.js';
import { deletePhoneCodes, findLivePhoneCode, upsertPhoneCode } from '../store/phone-codes.store.js';
import { type UserRow, UniqueFieldTakenError, clearUnverifiedPhoneClaims, lockUser, markPhoneVerified } from '../store/users.store.js';

const invalidCodeError = () => new ValidationError([{ path: 'code', message: 'invalid, used or expired code' }], 'invalid, used or expired code');

/** Six digits are guessable offline from a bare hash; the short TTL and attempt limit carry the weight. */
function hashCode(userId: string, code: string): string {
  return hashToken(`${userId}:${code}`);
}

async function lockAccount(t: Executor, appId: string, userId: string): Promise<UserRow> {
  const user = await lockUser(t, appId, userId);
  if (!user || user.deletedAt) throw new NotFoundError('account not found');
  return user;
}

/** Texts a new one-time code to the caller's unverified phone; it replaces any earlier code. */
export async function startPhoneVerification(deps: AuthDeps, appId: string, userId: string): Promise<void> {
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const ttlS = deps.config.PHONE_CODE_TTL_S;
  const phone = await deps.platform.tx(async (t) => {
    const user = await lockAccount(t, appId, userId);
    if (!user.phone) throw new ConflictError('the account has no phone number');
    if (user.phoneVerified) throw new ConflictError('the phone number is already verified');
    await upsertPhoneCode(t, { userId, phone: user.phone, codeHash: hashCode(userId, code), expiresAt: new Date(Date.now() + ttlS * 1000) });
    return user.phone;
  });
  const text = `Your Chat code is ${code}. It expires in ${Math.round(ttlS / 60)} minutes. Never share it.`;
  try {
    await deps.sms.send({ to: phone, text });
  } catch (err) {
    deps.platform.logger.error('SMS not sent', { err: err instanceof Error ? err.message : String(err) });
    throw new ServiceUnavailableError('the code could not be sent, try again later');
  }
}

/**
 * Marks `phone` verified for the account and drops every other account's unverified claim of it
 * (their pending codes too). Call inside a transaction holding the account's row lock.
 */
async function doVerifyPhone(t: Executor, appId: string, userId: string, phone: string): Promise<void> {
  try {
    if (!(await markPhoneVerified(t, userId, phone))) throw invalidCodeError();
  } catch (err) {
    if (err instanceof UniqueFieldTakenError) throw new ConflictError('the phone number is verified by another account');
    throw err;
  }
  await deletePhoneCodes(t, [userId, ...(await clearUnverifiedPhoneClaims(t, appId, phone, userId))]);
  await recordEvent(t, authEvents.phoneVerified, appId, { userId, phone });
}

/**
 * Checks the texted code (once: a used code is gone) against the caller's current number. A wrong,
 * used or expired code is 400 and counted by the route's per-account limiter; a number another
 * account has verified is 409, told only to whoever holds the code.
 */
export async function verifyPhone(deps: AuthDeps, appId: string, userId: string, code: string): Promise<void> {
  await deps.platform.tx(async (t) => {
    const user = await lockAccount(t, appId, userId);
    const pending = await findLivePhoneCode(t, userId);
    if (!pending || pending.phone !== user.phone || !safeEqual(hashCode(userId, code), pending.codeHash)) throw invalidCodeError();
    await doVerifyPhone(t, appId, userId, pending.phone);
  });
}
