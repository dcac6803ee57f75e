import {
  type AccessClaims,
  type AccountRecord,
  DELETED_DISPLAY_NAME,
  type Profile,
  type UpdateProfileBody,
  authRpcs,
  mediaRpcs,
  userEvents,
} from '@chat/contracts';
import { AppError, type Executor, ForbiddenError, NotFoundError, ValidationError, callRpc, recordEvent } from '@chat/service-kit';
import type { UserDeps } from '../deps.js';
import { findProfileView } from '../store/profile-views.store.js';
import { type NewProfile, type ProfileRow, insertProfileIfMissing, lockActiveProfile, profileExists, updateProfile } from '../store/profiles.store.js';
import { withLastSeen } from './last-seen.js';
import { viewerAccess, visibleProfile } from './privacy.js';

/** The profile an account starts with (an account deleted before we saw it starts anonymised). */
export function profileOfAccount(account: Omit<AccountRecord, 'createdAt'> & { createdAt: Date }): NewProfile {
  return {
    id: account.id,
    appId: account.appId,
    username: account.deleted ? null : account.username,
    displayName: account.deleted ? DELETED_DISPLAY_NAME : account.displayName,
    email: account.deleted ? null : (account.email ?? null),
    emailVerified: !account.deleted && account.emailVerified,
    phone: account.deleted ? null : (account.phone ?? null),
    phoneVerified: !account.deleted && account.phoneVerified,
    createdAt: account.createdAt,
    deletedAt: account.deleted ? new Date() : null,
  };
}

/**
 * Makes sure the account's profile exists. Normally the `auth.user.created` event has created it;
 * while that event is still in flight the account is fetched from auth. False when the account
 * does not exist in this app.
 */
export async function ensureProfile(deps: UserDeps, appId: string, userId: string): Promise<boolean> {
  const { db, bus } = deps.platform;
  if (await profileExists(db, appId, userId)) return true;
  const { user } = await callRpc(bus, authRpcs.user, { appId, userId }, deps.config.RPC_TIMEOUT_MS);
  if (!user || user.appId !== appId) return false;
  await deps.platform.tx((t) => insertProfileIfMissing(t, profileOfAccount({ ...user, createdAt: new Date(user.createdAt) })));
  return true;
}

/** A profile of the caller's app as the caller may see it, or 404 (also for other apps' users). */
export async function getProfile(deps: UserDeps, caller: AccessClaims, userId: string): Promise<Profile> {
  if (!(await ensureProfile(deps, caller.app, userId))) throw new NotFoundError('user not found');
  const row = await findProfileView(deps.platform.db, caller.app, userId, caller.sub);
  if (!row) throw new NotFoundError('user not found');
  return withLastSeen(deps, caller.app, visibleProfile(row, caller.sub), !row.deleted && viewerAccess(row, caller.sub).canSeeLastSeen);
}

/** Locks the caller's own profile for a change; a deleted account (its token not yet dead) is 404. */
export async function lockOwnProfile(t: Executor, caller: AccessClaims): Promise<ProfileRow> {
  const row = await lockActiveProfile(t, caller.app, caller.sub);
  if (!row) throw new NotFoundError('account not found');
  return row;
}

/** A profile writer needs the caller's own profile to exist first. */
export async function ensureOwnProfile(deps: UserDeps, caller: AccessClaims): Promise<void> {
  if (!(await ensureProfile(deps, caller.app, caller.sub))) throw new NotFoundError('account not found');
}

/**
 * Has the media service record a new profile photo (or none): it must be the caller's own ready
 * image, else 403 `forbidden` (someone else's, unknown and unfinished media alike) or 400 (not a
 * plain image). From then on whoever may see the photo may read that media. Call while holding
 * the profile's row lock, so the media service learns about photo changes in the order they land.
 */
async function checkAvatar(deps: UserDeps, caller: AccessClaims, mediaId: string | null): Promise<void> {
  try {
    await callRpc(deps.platform.bus, mediaRpcs.claimAvatar, { appId: caller.app, userId: caller.sub, mediaId }, deps.config.RPC_TIMEOUT_MS);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    if (err.code === 'not_found') throw new ForbiddenError('the avatar must be an image you uploaded');
    if (err.code === 'unsupported_media_type') throw new ValidationError([{ path: 'avatarMediaId', message: 'must be an image' }]);
    throw err;
  }
}

export async function updateOwnProfile(deps: UserDeps, caller: AccessClaims, body: UpdateProfileBody): Promise<Profile> {
  await ensureOwnProfile(deps, caller);
  await deps.platform.tx(async (t) => {
    const current = await lockOwnProfile(t, caller);
    if (body.avatarMediaId !== undefined && body.avatarMediaId !== current.avatarMediaId) await checkAvatar(deps, caller, body.avatarMediaId);
    const row = await updateProfile(t, caller.app, caller.sub, body);
    await recordEvent(t, userEvents.profileUpdated, caller.app, {
      userId: row.id,
      username: row.username,
      displayName: row.displayName,
      avatarMediaId: row.avatarMediaId,
      statusText: row.statusText,
    });
  });
  return getProfile(deps, caller, caller.sub);
}
