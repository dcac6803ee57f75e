import type { ChatType } from '@chat/contracts';
import type { Executor } from '@chat/service-kit';

export interface ChatRow {
  id: string;
  appId: string;
  type: ChatType;
  name: string | null;
  description: string | null;
  avatarMediaId: string | null;
  isPublic: boolean;
  membersCanAdd: boolean;
  directLow: string | null;
  directHigh: string | null;
  memberCount: number;
  frozen: boolean;
  slowModeSeconds: number;
  truncatedAt: Date | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  lastActivityAt: Date;
}

/** Columns of a ChatRow over `chats c`. */
export const CHAT_COLUMNS = `c.id, c.app_id AS "appId", c.type, c.name, c.description, c.avatar_media_id AS "avatarMediaId",
  c.is_public AS "isPublic", c.members_can_add AS "membersCanAdd", c.direct_low AS "directLow", c.direct_high AS "directHigh",
  c.member_count AS "memberCount", c.frozen, c.slow_mode_seconds AS "slowModeSeconds", c.truncated_at AS "truncatedAt",
  c.created_by AS "createdBy", c.created_at AS "createdAt", c.updated_at AS "updatedAt", c.last_activity_at AS "lastActivityAt"`;

export interface NewChat {
  id: string;
  appId: string;
  type: ChatType;
  name: string | null;
  description: string | null;
  avatarMediaId: string | null;
  isPublic: boolean;
  membersCanAdd: boolean;
  directLow: string | null;
  directHigh: string | null;
  createdBy: string;
}

const INSERT = `INSERT INTO chats AS c (id, app_id, type, name, description, avatar_media_id, is_public, members_can_add, direct_low, direct_high, created_by)
  VALUES ($<id>, $<appId>, $<type>, $<name>, $<description>, $<avatarMediaId>, $<isPublic>, $<membersCanAdd>, $<directLow>, $<directHigh>, $<createdBy>)`;

export function insertChat(t: Executor, chat: NewChat): Promise<ChatRow> {
  return t.one<ChatRow>(`${INSERT} RETURNING ${CHAT_COLUMNS}`, chat);
}

/** Inserts a direct chat unless the pair has one; null when it had (a concurrent create included). */
export function insertDirectChatIfMissing(t: Executor, chat: NewChat): Promise<ChatRow | null> {
  return t.oneOrNone<ChatRow>(`${INSERT} ON CONFLICT (app_id, direct_low, direct_high) WHERE type = 'direct' DO NOTHING RETURNING ${CHAT_COLUMNS}`, chat);
}

export function findDirectChat(t: Executor, appId: string, low: string, high: string): Promise<ChatRow | null> {
  return t.oneOrNone<ChatRow>(`SELECT ${CHAT_COLUMNS} FROM chats c WHERE c.app_id = $1 AND c.type = 'direct' AND c.direct_low = $2 AND c.direct_high = $3`, [
    appId,
    low,
    high,
  ]);
}

/** Row-locks a chat that is not deleted: every membership change of the chat holds this lock. */
export function lockChat(t: Executor, appId: string, id: string): Promise<ChatRow | null> {
  return t.oneOrNone<ChatRow>(`SELECT ${CHAT_COLUMNS} FROM chats c WHERE c.app_id = $1 AND c.id = $2 AND c.deleted_at IS NULL FOR UPDATE`, [appId, id]);
}

export function findChat(t: Executor, appId: string, id: string): Promise<ChatRow | null> {
  return t.oneOrNone<ChatRow>(`SELECT ${CHAT_COLUMNS} FROM chats c WHERE c.app_id = $1 AND c.id = $2 AND c.deleted_at IS NULL`, [appId, id]);
}

export interface ChatChanges {
  name?: string;
  description?: string | null;
  avatarMediaId?: string | null;
  isPublic?: boolean;
  membersCanAdd?: boolean;
  frozen?: boolean;
  slowModeSeconds?: number;
}

/** Sets the given fields (null clears description and avatar; absent keeps). `activity` also bumps the chat in lists. */
export function updateChat(t: Executor, id: string, c: ChatChanges, activity: boolean): Promise<ChatRow> {
  return t.one<ChatRow>(
    `UPDATE chats c SET
       name = COALESCE($<name>, name),
       description = CASE WHEN $<setDescription> THEN $<description> ELSE description END,
       avatar_media_id = CASE WHEN $<setAvatar> THEN $<avatarMediaId>::uuid ELSE avatar_media_id END,
       is_public = COALESCE($<isPublic>, is_public),
       members_can_add = COALESCE($<membersCanAdd>, members_can_add),
       frozen = COALESCE($<frozen>, frozen),
       slow_mode_seconds = COALESCE($<slowModeSeconds>, slow_mode_seconds),
       updated_at = now(),
       last_activity_at = CASE WHEN $<activity> THEN now() ELSE last_activity_at END
     WHERE c.id = $<id> RETURNING ${CHAT_COLUMNS}`,
    {
      id,
      activity,
      name: c.name ?? null,
      setDescription: c.description !== undefined,
      description: c.description ?? null,
      setAvatar: c.avatarMediaId !== undefined,
      avatarMediaId: c.avatarMediaId ?? null,
      isPublic: c.isPublic ?? null,
      membersCanAdd: c.membersCanAdd ?? null,
      frozen: c.frozen ?? null,
      slowModeSeconds: c.slowModeSeconds ?? null,
    },
  );
}

export function truncateChat(t: Executor, id: string): Promise<ChatRow> {
  return t.one<ChatRow>(`UPDATE chats c SET truncated_at = now(), updated_at = now() WHERE c.id = $1 RETURNING ${CHAT_COLUMNS}`, [id]);
}

/** Call inside the chat's row lock. */
export async function addToMemberCount(t: Executor, id: string, delta: number): Promise<number> {
  const row = await t.one<{ n: number }>('UPDATE chats SET member_count = member_count + $2 WHERE id = $1 RETURNING member_count AS n', [id, delta]);
  return row.n;
}

/** Keeps the row as a tombstone: the id never resolves again. */
export async function markChatDeleted(t: Executor, id: string): Promise<void> {
  await t.none('UPDATE chats SET deleted_at = now(), member_count = 0, updated_at = now() WHERE id = $1', [id]);
}

export type PublicChatRow = ChatRow & { isMember: boolean };

/** Public groups and channels of the app that still have members, newest first, by name when `q` is given. */
export function listPublicChats(t: Executor, appId: string, viewer: string, q: string | null, before: string | null, limit: number): Promise<PublicChatRow[]> {
  return t.manyOrNone<PublicChatRow>(
    `SELECT ${CHAT_COLUMNS}, EXISTS (SELECT 1 FROM members m WHERE m.chat_id = c.id AND m.user_id = $<viewer>) AS "isMember"
     FROM chats c
     WHERE c.app_id = $<appId> AND c.is_public AND c.deleted_at IS NULL AND c.member_count > 0
       AND ($<pattern>::text IS NULL OR c.name ILIKE $<pattern> ESCAPE '\\')
       AND ($<before>::uuid IS NULL OR c.id < $<before>::uuid)
     ORDER BY c.id DESC LIMIT $<limit>`,
    { appId, viewer, pattern: q === null ? null : `%${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`, before, limit },
  );
}

/** Moves each chat's last activity forward to its time (never back: events may arrive late). */
export async function noteActivities(t: Executor, latest: Map<string, Date>): Promise<void> {
  if (latest.size === 0) return;
  const ids = [...latest.keys()].sort();
  await t.none(
    `UPDATE chats c SET last_activity_at = GREATEST(c.last_activity_at, x.at)
       FROM unnest($1::uuid[], $2::timestamptz[]) AS x(id, at) WHERE c.id = x.id`,
    [ids, ids.map((id) => latest.get(id))],
  );
}
