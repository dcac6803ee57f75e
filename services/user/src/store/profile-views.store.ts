import type { GroupAddPolicy, Visibility } from '@chat/contracts';
import type { Executor } from '@chat/service-kit';

/** A profile with its owner's privacy settings and its relation to one viewer. */
export interface ProfileViewRow {
  id: string;
  username: string | null;
  displayName: string;
  bio: string | null;
  avatarMediaId: string | null;
  statusText: string | null;
  deleted: boolean;
  createdAt: Date;
  lastSeen: Visibility;
  profilePhoto: Visibility;
  readReceipts: boolean;
  addToGroups: GroupAddPolicy;
  discoverableByPhone: boolean;
  discoverableByEmail: boolean;
  /** The viewer is in the profile owner's contacts. */
  viewerIsContact: boolean;
  /** The profile owner blocked the viewer. */
  blocksViewer: boolean;
  /** The viewer blocked the profile owner. */
  blockedByViewer: boolean;
}

/**
 * Columns of a ProfileViewRow over `profiles p` joined with `settings s` (see VIEW_FROM); the
 * query names the viewer as `$<viewer>` (null: no viewer, every relation false).
 */
export const VIEW_COLUMNS = `p.id, p.username, p.display_name AS "displayName", p.bio, p.avatar_media_id AS "avatarMediaId",
  p.status_text AS "statusText", p.deleted_at IS NOT NULL AS deleted, p.created_at AS "createdAt",
  s.last_seen AS "lastSeen", s.profile_photo AS "profilePhoto", s.read_receipts AS "readReceipts", s.add_to_groups AS "addToGroups",
  s.discoverable_by_phone AS "discoverableByPhone", s.discoverable_by_email AS "discoverableByEmail",
  EXISTS (SELECT 1 FROM contacts vc WHERE vc.app_id = p.app_id AND vc.owner_id = p.id AND vc.contact_id = $<viewer>::uuid) AS "viewerIsContact",
  EXISTS (SELECT 1 FROM blocks vb WHERE vb.app_id = p.app_id AND vb.blocker_id = p.id AND vb.blocked_id = $<viewer>::uuid) AS "blocksViewer",
  EXISTS (SELECT 1 FROM blocks vb WHERE vb.app_id = p.app_id AND vb.blocker_id = $<viewer>::uuid AND vb.blocked_id = p.id) AS "blockedByViewer"`;

export const VIEW_FROM = 'profiles p JOIN settings s ON s.app_id = p.app_id AND s.user_id = p.id';

export function findProfileView(t: Executor, appId: string, id: string, viewer: string | null): Promise<ProfileViewRow | null> {
  return t.oneOrNone<ProfileViewRow>(`SELECT ${VIEW_COLUMNS} FROM ${VIEW_FROM} WHERE p.app_id = $<appId> AND p.id = $<id>`, { appId, id, viewer });
}

/** Many profiles in one query (unknown ids are left out). */
export function listProfileViews(t: Executor, appId: string, ids: string[], viewer: string | null): Promise<ProfileViewRow[]> {
  return t.manyOrNone<ProfileViewRow>(`SELECT ${VIEW_COLUMNS} FROM ${VIEW_FROM} WHERE p.app_id = $<appId> AND p.id = ANY($<ids>::uuid[])`, {
    appId,
    ids,
    viewer,
  });
}

export type DiscoveredRow = ProfileViewRow & { phone: string | null; email: string | null };

/**
 * Users of the app matching the verified phones or verified emails, each only through an
 * identifier its owner lets others discover, never the viewer itself, a deleted account or one
 * that blocked the viewer. An unverified number may be anyone's claim: it never matches.
 */
export function findDiscoverable(t: Executor, appId: string, viewer: string, phones: string[], emails: string[]): Promise<DiscoveredRow[]> {
  return t.manyOrNone<DiscoveredRow>(
    `SELECT ${VIEW_COLUMNS},
       CASE WHEN s.discoverable_by_phone AND p.phone_verified AND p.phone = ANY($<phones>::text[]) THEN p.phone END AS phone,
       CASE WHEN s.discoverable_by_email AND p.email_verified AND p.email = ANY($<emails>::text[]) THEN p.email END AS email
     FROM ${VIEW_FROM}
     WHERE p.app_id = $<appId> AND p.deleted_at IS NULL AND p.id <> $<viewer>
       AND ((s.discoverable_by_phone AND p.phone_verified AND p.phone = ANY($<phones>::text[]))
         OR (s.discoverable_by_email AND p.email_verified AND p.email = ANY($<emails>::text[])))
       AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.app_id = p.app_id AND b.blocker_id = p.id AND b.blocked_id = $<viewer>)
     ORDER BY p.id`,
    { appId, viewer, phones, emails },
  );
}
