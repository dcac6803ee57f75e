import type { Executor } from '@chat/service-kit';

/** Makes `mediaId` the user's profile photo, replacing the one before. */
export async function setAvatar(t: Executor, appId: string, userId: string, mediaId: string): Promise<void> {
  await t.none(
    `INSERT INTO avatars (app_id, user_id, media_id) VALUES ($1, $2, $3)
     ON CONFLICT (app_id, user_id) DO UPDATE SET media_id = EXCLUDED.media_id, claimed_at = now()`,
    [appId, userId, mediaId],
  );
}

export async function clearAvatar(t: Executor, appId: string, userId: string): Promise<void> {
  await t.none('DELETE FROM avatars WHERE app_id = $1 AND user_id = $2', [appId, userId]);
}

/** Whose profile photo the media is now, if anyone's. */
export async function avatarUserOf(t: Executor, mediaId: string): Promise<string | null> {
  const row = await t.oneOrNone<{ userId: string }>('SELECT user_id AS "userId" FROM avatars WHERE media_id = $1 LIMIT 1', [mediaId]);
  return row?.userId ?? null;
}

/** The media stops being anyone's profile photo (its owner deleted it). */
export async function dropAvatarUses(t: Executor, mediaId: string): Promise<void> {
  await t.none('DELETE FROM avatars WHERE media_id = $1', [mediaId]);
}
