import type { Executor } from '@chat/service-kit';

export interface BanRow {
  chatId: string;
  userId: string;
  reason: string | null;
  shadow: boolean;
  expiresAt: Date | null;
  bannedBy: string;
  createdAt: Date;
}

const COLUMNS = `chat_id AS "chatId", user_id AS "userId", reason, shadow, expires_at AS "expiresAt", banned_by AS "bannedBy", created_at AS "createdAt"`;
const ACTIVE = '(expires_at IS NULL OR expires_at > now())';

export function findActiveBan(t: Executor, chatId: string, userId: string): Promise<BanRow | null> {
  return t.oneOrNone<BanRow>(`SELECT ${COLUMNS} FROM bans WHERE chat_id = $1 AND user_id = $2 AND ${ACTIVE}`, [chatId, userId]);
}

/** Which of `userIds` are shut out by an active ban (shadow bans do not shut anyone out). */
export function bannedAmong(t: Executor, chatId: string, userIds: string[]): Promise<string[]> {
  return t.map(
    `SELECT user_id FROM bans WHERE chat_id = $1 AND user_id = ANY($2::uuid[]) AND NOT shadow AND ${ACTIVE}`,
    [chatId, userIds],
    (r: { user_id: string }) => r.user_id,
  );
}

export interface NewBan {
  appId: string;
  chatId: string;
  userId: string;
  reason: string | null;
  shadow: boolean;
  expiresAt: Date | null;
  bannedBy: string;
}

/** Bans, replacing any earlier ban of the user in the chat; `created` is false when an active one was replaced. */
export async function upsertBan(t: Executor, ban: NewBan): Promise<{ ban: BanRow; created: boolean }> {
  const replaced = await findActiveBan(t, ban.chatId, ban.userId);
  const row = await t.one<BanRow>(
    `INSERT INTO bans (chat_id, user_id, app_id, reason, shadow, expires_at, banned_by)
     VALUES ($<chatId>, $<userId>, $<appId>, $<reason>, $<shadow>, $<expiresAt>, $<bannedBy>)
     ON CONFLICT (chat_id, user_id) DO UPDATE SET reason = EXCLUDED.reason, shadow = EXCLUDED.shadow, expires_at = EXCLUDED.expires_at,
       banned_by = EXCLUDED.banned_by, created_at = now()
     RETURNING ${COLUMNS}`,
    ban,
  );
  return { ban: row, created: replaced === null };
}

/** Lifts an active ban; false when there was none. */
export async function deleteActiveBan(t: Executor, chatId: string, userId: string): Promise<boolean> {
  const r = await t.result(`DELETE FROM bans WHERE chat_id = $1 AND user_id = $2 AND ${ACTIVE}`, [chatId, userId]);
  return r.rowCount === 1;
}

export async function deleteAllBans(t: Executor, chatId: string): Promise<void> {
  await t.none('DELETE FROM bans WHERE chat_id = $1', [chatId]);
}
