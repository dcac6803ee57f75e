import type { Executor } from '@chat/service-kit';

/** A profile row as its owner sees it (email and phone included). */
export interface ProfileRow {
  id: string;
  appId: string;
  username: string | null;
  displayName: string;
  bio: string | null;
  avatarMediaId: string | null;
  statusText: string | null;
  email: string | null;
  emailVerified: boolean;
  phone: string | null;
  phoneVerified: boolean;
  createdAt: Date;
  deletedAt: Date | null;
}

const COLUMNS = `id, app_id AS "appId", username, display_name AS "displayName", bio, avatar_media_id AS "avatarMediaId",
  status_text AS "statusText", email, email_verified AS "emailVerified", phone,
  phone_verified AS "phoneVerified", created_at AS "createdAt", deleted_at AS "deletedAt"`;

export interface NewProfile {
  id: string;
  appId: string;
  username: string | null;
  displayName: string;
  email: string | null;
  emailVerified: boolean;
  phone: string | null;
  phoneVerified: boolean;
  createdAt: Date;
  deletedAt: Date | null;
}

/**
 * Creates the profile and its default settings unless they exist: the account event and the
 * lookup on first use may both arrive, in either order, and a profile the user already edited
 * is never overwritten.
 */
export async function insertProfileIfMissing(t: Executor, p: NewProfile): Promise<void> {
  await t.none(
    `INSERT INTO profiles (id, app_id, username, display_name, email, email_verified, phone, phone_verified, created_at, deleted_at)
     VALUES ($<id>, $<appId>, $<username>, $<displayName>, $<email>, $<emailVerified>, $<phone>, $<phoneVerified>, $<createdAt>, $<deletedAt>)
     ON CONFLICT (id) DO NOTHING`,
    p,
  );
  await t.none('INSERT INTO settings (user_id, app_id) VALUES ($<id>, $<appId>) ON CONFLICT (user_id) DO NOTHING', p);
}

export async function profileExists(t: Executor, appId: string, id: string): Promise<boolean> {
  return (await t.oneOrNone('SELECT 1 FROM profiles WHERE app_id = $1 AND id = $2', [appId, id])) !== null;
}

export function findProfile(t: Executor, appId: string, id: string): Promise<ProfileRow | null> {
  return t.oneOrNone<ProfileRow>(`SELECT ${COLUMNS} FROM profiles WHERE app_id = $1 AND id = $2`, [appId, id]);
}

/** Row-locks a profile that is not deleted (for an update or the deletion itself). */
export function lockActiveProfile(t: Executor, appId: string, id: string): Promise<ProfileRow | null> {
  return t.oneOrNone<ProfileRow>(`SELECT ${COLUMNS} FROM profiles WHERE app_id = $1 AND id = $2 AND deleted_at IS NULL FOR UPDATE`, [appId, id]);
}

/**
 * Share-locks the profiles that are not deleted among `ids`, in id order (so two callers locking
 * the same pair never deadlock), and returns their ids. A deletion waits for the lock holder.
 */
export function shareLockActiveProfiles(t: Executor, appId: string, ids: string[]): Promise<string[]> {
  return t.map(
    'SELECT id FROM profiles WHERE app_id = $1 AND id = ANY($2::uuid[]) AND deleted_at IS NULL ORDER BY id FOR SHARE',
    [appId, ids],
    (r: { id: string }) => r.id,
  );
}

export interface ProfileChanges {
  displayName?: string;
  bio?: string | null;
  avatarMediaId?: string | null;
  statusText?: string | null;
}

/** Sets the given fields (a field set to null is cleared; an absent one is kept). */
export function updateProfile(t: Executor, appId: string, id: string, c: ProfileChanges): Promise<ProfileRow> {
  return t.one<ProfileRow>(
    `UPDATE profiles SET
       display_name = COALESCE($<displayName>, display_name),
       bio = CASE WHEN $<setBio> THEN $<bio> ELSE bio END,
       avatar_media_id = CASE WHEN $<setAvatar> THEN $<avatarMediaId>::uuid ELSE avatar_media_id END,
       status_text = CASE WHEN $<setStatus> THEN $<statusText> ELSE status_text END,
       updated_at = now()
     WHERE app_id = $<appId> AND id = $<id> RETURNING ${COLUMNS}`,
    {
      appId,
      id,
      displayName: c.displayName ?? null,
      setBio: c.bio !== undefined,
      bio: c.bio ?? null,
      setAvatar: c.avatarMediaId !== undefined,
      avatarMediaId: c.avatarMediaId ?? null,
      setStatus: c.statusText !== undefined,
      statusText: c.statusText ?? null,
    },
  );
}

/** Replaces everything personal with `displayName` and marks the profile deleted. */
export async function anonymiseProfile(t: Executor, appId: string, id: string, displayName: string): Promise<void> {
  await t.none(
    `UPDATE profiles SET username = NULL, display_name = $3, bio = NULL, avatar_media_id = NULL, status_text = NULL,
       email = NULL, email_verified = false, phone = NULL, phone_verified = false, deleted_at = now(), updated_at = now()
     WHERE app_id = $1 AND id = $2`,
    [appId, id, displayName],
  );
}

/** Marks the address verified when it is still the profile's address; false when nothing matched. */
export async function markEmailVerified(t: Executor, appId: string, id: string, email: string): Promise<boolean> {
  const r = await t.result('UPDATE profiles SET email_verified = true WHERE app_id = $1 AND id = $2 AND email = $3', [appId, id, email]);
  return r.rowCount === 1;
}

/** Marks the number verified when it is still the profile's number; false when nothing matched. */
export async function markPhoneVerified(t: Executor, appId: string, id: string, phone: string): Promise<boolean> {
  const r = await t.result('UPDATE profiles SET phone_verified = true WHERE app_id = $1 AND id = $2 AND phone = $3', [appId, id, phone]);
  return r.rowCount === 1;
}

/** Drops other profiles' unverified claims of a number its owner verified (auth dropped them too). */
export async function clearUnverifiedPhoneClaims(t: Executor, appId: string, phone: string, ownerId: string): Promise<void> {
  await t.none('UPDATE profiles SET phone = NULL WHERE app_id = $1 AND phone = $2 AND id <> $3 AND NOT phone_verified', [appId, phone, ownerId]);
}
