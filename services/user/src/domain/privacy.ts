import type { Profile, UserPrivacy, ViewerAccess, Visibility } from '@chat/contracts';
import type { UserDeps } from '../deps.js';
import { type ProfileViewRow, listProfileViews } from '../store/profile-views.store.js';

const FULL_ACCESS: ViewerAccess = { isContact: false, blocked: false, canSeeLastSeen: true, canSeeProfilePhoto: true, canAddToGroups: true };

/**
 * The one privacy rule: what `viewerId` may see of, or do with, the profile's owner. "contacts"
 * means the viewer is in the owner's contact list; a block either way hides everything governed
 * by a setting. Everyone sees all of their own profile.
 */
export function viewerAccess(row: ProfileViewRow, viewerId: string): ViewerAccess {
  if (row.id === viewerId) return FULL_ACCESS;
  const blocked = row.blocksViewer || row.blockedByViewer;
  const sees = (level: Visibility) => !blocked && (level === 'everyone' || (level === 'contacts' && row.viewerIsContact));
  return {
    isContact: row.viewerIsContact,
    blocked,
    canSeeLastSeen: sees(row.lastSeen),
    canSeeProfilePhoto: sees(row.profilePhoto),
    canAddToGroups: !blocked && (row.addToGroups === 'everyone' || row.viewerIsContact),
  };
}

/**
 * The profile as `viewerId` may see it. Last seen is owned by the presence service: `getProfile`
 * adds it where the rule above allows (see last-seen.ts); presence applies the same rule through
 * rpc.user.privacy.
 */
export function visibleProfile(row: ProfileViewRow, viewerId: string): Profile {
  const access = viewerAccess(row, viewerId);
  return {
    id: row.id,
    username: row.username,
    displayName: row.displayName,
    bio: row.bio,
    avatarMediaId: access.canSeeProfilePhoto ? row.avatarMediaId : null,
    statusText: row.statusText,
    deleted: row.deleted,
    createdAt: row.createdAt.toISOString(),
  };
}

/** Settings of one user for another service, with the viewer's access when a viewer is named. */
export function toUserPrivacy(row: ProfileViewRow, viewerId: string | undefined): UserPrivacy {
  return {
    userId: row.id,
    deleted: row.deleted,
    privacy: {
      lastSeen: row.lastSeen,
      profilePhoto: row.profilePhoto,
      readReceipts: row.readReceipts,
      addToGroups: row.addToGroups,
      discoverableByPhone: row.discoverableByPhone,
      discoverableByEmail: row.discoverableByEmail,
    },
    ...(viewerId ? { viewer: viewerAccess(row, viewerId) } : {}),
  };
}

/** Privacy settings of many users of one app in one query, with the viewer's access when named. */
export async function getPrivacy(deps: UserDeps, appId: string, userIds: string[], viewerId: string | undefined): Promise<UserPrivacy[]> {
  const rows = await listProfileViews(deps.platform.db, appId, [...new Set(userIds)], viewerId ?? null);
  return rows.map((row) => toUserPrivacy(row, viewerId));
}
