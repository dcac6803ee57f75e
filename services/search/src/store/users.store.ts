import type { Executor } from '@chat/service-kit';

export interface UserRow {
  userId: string;
  appId: string;
  username: string;
  displayName: string;
  emailHash: Buffer | null;
  phoneHash: Buffer | null;
  at: string;
}

/**
 * A new account. A repeat changes nothing; a profile update seen first (another stream) keeps its
 * name and gains what only the account carries; a deleted account stays deleted.
 */
export async function insertUser(t: Executor, u: UserRow): Promise<void> {
  await t.none(
    `INSERT INTO users (user_id, app_id, username, display_name, email_hash, phone_hash, changed_at)
     VALUES ($<userId>, $<appId>, $<username>, $<displayName>, $<emailHash>, $<phoneHash>, $<at>)
     ON CONFLICT (user_id) DO UPDATE
       SET username = CASE WHEN users.username = '' THEN excluded.username ELSE users.username END,
           email_hash = coalesce(users.email_hash, excluded.email_hash), phone_hash = coalesce(users.phone_hash, excluded.phone_hash)
     WHERE NOT users.deleted`,
    u,
  );
}

/** Profile changes; a null username keeps the one stored. */
export async function updateProfile(
  t: Executor,
  p: { userId: string; appId: string; username: string | null; displayName: string; at: string },
): Promise<void> {
  await t.none(
    `INSERT INTO users (user_id, app_id, username, display_name, changed_at)
     VALUES ($<userId>, $<appId>, coalesce($<username>, ''), $<displayName>, $<at>)
     ON CONFLICT (user_id) DO UPDATE
       SET username = coalesce($<username>, users.username), display_name = excluded.display_name, changed_at = excluded.changed_at
     WHERE users.changed_at <= excluded.changed_at AND NOT users.deleted`,
    p,
  );
}

export async function markUserDeleted(t: Executor, u: { userId: string; appId: string; at: string }): Promise<void> {
  await t.none(
    `INSERT INTO users (user_id, app_id, username, display_name, deleted, changed_at) VALUES ($<userId>, $<appId>, '', '', true, $<at>)
     ON CONFLICT (user_id) DO UPDATE SET deleted = true, username = '', display_name = '', email_hash = NULL, phone_hash = NULL`,
    u,
  );
}

/** The owner proved the phone; another account's hash of the same number (an older proof) is dropped. */
export async function setPhoneHash(t: Executor, appId: string, userId: string, phoneHash: Buffer): Promise<void> {
  await t.none('UPDATE users SET phone_hash = NULL WHERE app_id = $1 AND phone_hash = $3 AND user_id <> $2', [appId, userId, phoneHash]);
  await t.none('UPDATE users SET phone_hash = $2 WHERE user_id = $1 AND NOT deleted', [userId, phoneHash]);
}

export async function setEmailHash(t: Executor, userId: string, emailHash: Buffer): Promise<void> {
  await t.none('UPDATE users SET email_hash = $2 WHERE user_id = $1 AND NOT deleted', [userId, emailHash]);
}
