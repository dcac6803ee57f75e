import type { ChatRole } from '@chat/contracts';
import type { Executor } from '@chat/service-kit';

export interface MemberRow {
  chatId: string;
  userId: string;
  role: ChatRole;
  joinedAt: Date;
  mutedUntil: Date | null;
  pinned: boolean;
  archived: boolean;
}

const COLUMNS = `chat_id AS "chatId", user_id AS "userId", role, joined_at AS "joinedAt", muted_until AS "mutedUntil", pinned, archived`;

export function findMember(t: Executor, chatId: string, userId: string): Promise<MemberRow | null> {
  return t.oneOrNone<MemberRow>(`SELECT ${COLUMNS} FROM members WHERE chat_id = $1 AND user_id = $2`, [chatId, userId]);
}

/** Which of `userIds` are members already. */
export function memberIdsAmong(t: Executor, chatId: string, userIds: string[]): Promise<string[]> {
  return t.map('SELECT user_id FROM members WHERE chat_id = $1 AND user_id = ANY($2::uuid[])', [chatId, userIds], (r: { user_id: string }) => r.user_id);
}

export interface NewMember {
  userId: string;
  role: ChatRole;
}

/** Inserts the members that are not members yet and returns those. Call inside the chat's row lock. */
export function insertMembers(t: Executor, appId: string, chatId: string, members: NewMember[], addedBy: string): Promise<MemberRow[]> {
  if (members.length === 0) return Promise.resolve([]);
  return t.manyOrNone<MemberRow>(
    `INSERT INTO members (chat_id, user_id, app_id, role, added_by)
     SELECT $1, u.user_id, $2, u.role, $3 FROM unnest($4::uuid[], $5::text[]) AS u(user_id, role)
     ON CONFLICT (chat_id, user_id) DO NOTHING RETURNING ${COLUMNS}`,
    [chatId, appId, addedBy, members.map((m) => m.userId), members.map((m) => m.role)],
  );
}

/** Returns the removed member, or null when the user was not one. */
export function deleteMember(t: Executor, chatId: string, userId: string): Promise<MemberRow | null> {
  return t.oneOrNone<MemberRow>(`DELETE FROM members WHERE chat_id = $1 AND user_id = $2 RETURNING ${COLUMNS}`, [chatId, userId]);
}

export function setRole(t: Executor, chatId: string, userId: string, role: ChatRole): Promise<MemberRow> {
  return t.one<MemberRow>(`UPDATE members SET role = $3 WHERE chat_id = $1 AND user_id = $2 RETURNING ${COLUMNS}`, [chatId, userId, role]);
}

/** Who takes over from a leaving owner: the oldest admin, else the oldest member of any role. */
export function findSuccessor(t: Executor, chatId: string): Promise<MemberRow | null> {
  return t.oneOrNone<MemberRow>(`SELECT ${COLUMNS} FROM members WHERE chat_id = $1 ORDER BY (role = 'admin') DESC, joined_at, user_id LIMIT 1`, [chatId]);
}

/** A page of members in user-id order, after `after` when given. */
export function listMembers(t: Executor, chatId: string, after: string | null, limit: number): Promise<MemberRow[]> {
  return t.manyOrNone<MemberRow>(`SELECT ${COLUMNS} FROM members WHERE chat_id = $1 AND ($2::uuid IS NULL OR user_id > $2::uuid) ORDER BY user_id LIMIT $3`, [
    chatId,
    after,
    limit,
  ]);
}

/** Removes every member; returns their ids. */
export async function deleteAllMembers(t: Executor, chatId: string): Promise<string[]> {
  const rows = await t.any<{ user_id: string }>('DELETE FROM members WHERE chat_id = $1 RETURNING user_id', [chatId]);
  return rows.map((r) => r.user_id);
}

export interface SettingsChanges {
  mutedUntil?: Date | null;
  pinned?: boolean;
  archived?: boolean;
}

/** Applies the member's own settings (absent ones kept); null when the user is not a member. */
export function updateMemberSettings(t: Executor, appId: string, chatId: string, userId: string, c: SettingsChanges): Promise<MemberRow | null> {
  return t.oneOrNone<MemberRow>(
    `UPDATE members SET
       muted_until = CASE WHEN $<setMute> THEN $<mutedUntil>::timestamptz ELSE muted_until END,
       pinned = COALESCE($<pinned>, pinned),
       archived = COALESCE($<archived>, archived)
     WHERE app_id = $<appId> AND chat_id = $<chatId> AND user_id = $<userId> RETURNING ${COLUMNS}`,
    { appId, chatId, userId, setMute: c.mutedUntil !== undefined, mutedUntil: c.mutedUntil ?? null, pinned: c.pinned ?? null, archived: c.archived ?? null },
  );
}

/** Ids of the chats a user belongs to, in id order, after `after` when given. */
export function chatIdsOfUser(t: Executor, appId: string, userId: string, after: string | null, limit: number): Promise<string[]> {
  return t.map(
    'SELECT chat_id FROM members WHERE app_id = $1 AND user_id = $2 AND ($3::uuid IS NULL OR chat_id > $3::uuid) ORDER BY chat_id LIMIT $4',
    [appId, userId, after, limit],
    (r: { chat_id: string }) => r.chat_id,
  );
}
