import { createHash } from 'node:crypto';
import type { Executor } from '@chat/service-kit';
import { endUserMemberships } from '../store/members.store.js';
import { insertUser, markUserDeleted, setEmailHash, setPhoneHash, updateProfile } from '../store/users.store.js';

/** How an email is compared: trimmed, lower case. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();
/** How a phone number is compared: digits only, with a leading `+` kept. */
export const normalizePhone = (phone: string) => (phone.trim().startsWith('+') ? '+' : '') + phone.replace(/\D/g, '');

export const digest = (value: string) => createHash('sha256').update(value).digest();

export interface NewAccount {
  userId: string;
  username: string;
  displayName: string;
}

export async function indexAccount(t: Executor, appId: string, a: NewAccount, at: string): Promise<void> {
  await insertUser(t, {
    userId: a.userId,
    appId,
    username: a.username,
    displayName: a.displayName,
    // An email or phone makes its owner findable only once verified (as the user service's
    // discovery does): until then anyone may have typed in someone else's.
    emailHash: null,
    phoneHash: null,
    at,
  });
}

export async function indexEmailVerified(t: Executor, userId: string, email: string): Promise<void> {
  await setEmailHash(t, userId, digest(normalizeEmail(email)));
}

export async function indexPhoneVerified(t: Executor, appId: string, userId: string, phone: string): Promise<void> {
  await setPhoneHash(t, appId, userId, digest(normalizePhone(phone)));
}

export async function indexProfile(t: Executor, appId: string, p: { userId: string; username: string | null; displayName: string }, at: string): Promise<void> {
  await updateProfile(t, { ...p, appId, at });
}

export async function indexAccountDeleted(t: Executor, appId: string, userId: string, at: string): Promise<void> {
  await markUserDeleted(t, { userId, appId, at });
  await endUserMemberships(t, userId, at);
}
