import type { EventData, authEvents } from '@chat/contracts';
import type { UserDeps } from '../deps.js';
import { clearUnverifiedPhoneClaims, insertProfileIfMissing, markEmailVerified, markPhoneVerified } from '../store/profiles.store.js';
import { ensureProfile, profileOfAccount } from './profiles.js';

/** Creates the profile of a new account (idempotent: a profile that exists is left alone). */
export async function doCreateProfile(deps: UserDeps, appId: string, data: EventData<typeof authEvents.userCreated>, occurredAt: string): Promise<void> {
  const profile = profileOfAccount({
    ...data,
    id: data.userId,
    appId,
    emailVerified: false,
    phoneVerified: false,
    deleted: false,
    createdAt: new Date(occurredAt),
  });
  await deps.platform.tx((t) => insertProfileIfMissing(t, profile));
}

/**
 * Records that the account's email is verified, which makes it discoverable by that address. A
 * profile not created yet is fetched from auth, which already reports the address verified.
 */
export async function doVerifyEmail(deps: UserDeps, appId: string, userId: string, email: string): Promise<void> {
  if (await markEmailVerified(deps.platform.db, appId, userId, email)) return;
  await ensureProfile(deps, appId, userId);
}

/**
 * Records that the account verified its phone, which makes it discoverable by that number, and
 * drops other profiles' unverified claims of it. A profile not created yet is fetched from auth,
 * which already reports the number verified. Idempotent.
 */
export async function doVerifyPhone(deps: UserDeps, appId: string, userId: string, phone: string): Promise<void> {
  const marked = await deps.platform.tx(async (t) => {
    await clearUnverifiedPhoneClaims(t, appId, phone, userId);
    return markPhoneVerified(t, appId, userId, phone);
  });
  if (!marked) await ensureProfile(deps, appId, userId);
}
