import { type AccessClaims, DELETED_DISPLAY_NAME, authRpcs, userEvents } from '@chat/contracts';
import { type Executor, ForbiddenError, RateLimitedError, callRpc, recordEvent } from '@chat/service-kit';
import type { UserDeps } from '../deps.js';
import { deleteBlocksInvolving } from '../store/blocks.store.js';
import { deleteContactsInvolving } from '../store/contacts.store.js';
import { anonymiseProfile, lockActiveProfile } from '../store/profiles.store.js';
import { ensureOwnProfile } from './profiles.js';

/** The account holder must give the password; wrong answers are counted by auth like failed logins. */
async function checkPassword(deps: UserDeps, caller: AccessClaims, password: string): Promise<void> {
  const check = await callRpc(deps.platform.bus, authRpcs.verifyPassword, { appId: caller.app, userId: caller.sub, password }, deps.config.RPC_TIMEOUT_MS);
  if (check.result === 'locked') throw new RateLimitedError(check.retryAfterS ?? 60, 'too many wrong passwords, try again later');
  if (check.result !== 'valid') throw new ForbiddenError('password is wrong');
}

/**
 * Anonymises the profile, removes the user's contacts and blocks (both directions) and records
 * `user.account.deleted`, from which every service removes its own data of the account (auth: the
 * credentials and sessions). Call inside a transaction; false when the account was deleted already.
 */
export async function doDeleteAccount(t: Executor, appId: string, userId: string): Promise<boolean> {
  if (!(await lockActiveProfile(t, appId, userId))) return false;
  await anonymiseProfile(t, appId, userId, DELETED_DISPLAY_NAME);
  await deleteContactsInvolving(t, appId, userId);
  await deleteBlocksInvolving(t, appId, userId);
  await recordEvent(t, userEvents.accountDeleted, appId, { userId });
  return true;
}

export async function deleteAccount(deps: UserDeps, caller: AccessClaims, password: string): Promise<void> {
  await ensureOwnProfile(deps, caller);
  await checkPassword(deps, caller, password);
  await deps.platform.tx((t) => doDeleteAccount(t, caller.app, caller.sub));
}
