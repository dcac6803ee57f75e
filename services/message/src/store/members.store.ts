import type { Executor } from '@chat/service-kit';
import type { Statement } from './statement.js';

export interface MarkerRow {
  userId: string;
  readSeq: number;
  readAt: Date | null;
  deliveredSeq: number;
  deliveredAt: Date | null;
}

export async function upsertMembers(t: Executor, chatId: string, appId: string, userIds: string[]): Promise<void> {
  if (userIds.length === 0) return;
  await t.none(
    `INSERT INTO members (chat_id, user_id, app_id) SELECT $1, id, $2 FROM unnest($3::uuid[]) AS id
     ON CONFLICT (chat_id, user_id) DO NOTHING`,
    [chatId, appId, userIds],
  );
}

export async function deleteMember(t: Executor, chatId: string, userId: string): Promise<void> {
  await t.none('DELETE FROM members WHERE chat_id = $1 AND user_id = $2', [chatId, userId]);
  await t.none('DELETE FROM drafts WHERE chat_id = $1 AND user_id = $2', [chatId, userId]);
}

export async function deleteAllMembers(t: Executor, chatId: string): Promise<void> {
  await t.none('DELETE FROM members WHERE chat_id = $1', [chatId]);
  await t.none('DELETE FROM drafts WHERE chat_id = $1', [chatId]);
}

/** Ids among `userIds` that are members of the chat. */
export async function membersAmong(t: Executor, chatId: string, userIds: string[]): Promise<string[]> {
  const rows = await t.any<{ user_id: string }>('SELECT user_id FROM members WHERE chat_id = $1 AND user_id = ANY($2::uuid[])', [chatId, userIds]);
  return rows.map((r) => r.user_id);
}

/**
 * Moves a marker forward (never back); `read` moves `delivered` along. Returns the new seq, or
 * null when the marker already stood there or beyond.
 */
export async function advanceMarker(
  t: Executor,
  q: { chatId: string; appId: string; userId: string; kind: 'read' | 'delivered'; seq: number; at: Date },
): Promise<number | null> {
  const set =
    q.kind === 'read'
      ? `read_seq = $<seq>, read_at = $<at>, delivered_seq = GREATEST(members.delivered_seq, $<seq>),
         delivered_at = CASE WHEN members.delivered_seq < $<seq> THEN $<at> ELSE members.delivered_at END`
      : 'delivered_seq = $<seq>, delivered_at = $<at>';
  const column = q.kind === 'read' ? 'read_seq' : 'delivered_seq';
  const row = await t.oneOrNone(
    `INSERT INTO members AS members (chat_id, user_id, app_id) VALUES ($<chatId>, $<userId>, $<appId>)
     ON CONFLICT (chat_id, user_id) DO UPDATE SET ${set} WHERE members.${column} < $<seq>
     RETURNING ${column} AS seq`,
    q,
  );
  if (!row) return null;
  // A fresh row starts at 0: move it now (the insert path did not apply `set`).
  if (Number(row.seq) < q.seq) return advanceMarker(t, q);
  return Number(row.seq);
}

/** Each sender has read up to their own message, and posted at `at` (slow mode's clock). */
export function notePostsStatement(posts: { chatId: string; appId: string; userId: string; seq: number; at: Date }[]): Statement {
  return {
    query: `INSERT INTO members AS m (chat_id, user_id, app_id, read_seq, read_at, delivered_seq, delivered_at, last_post_at)
     SELECT chat_id, user_id, app_id, seq, at, seq, at, at
       FROM (SELECT chat_id, user_id, min(app_id::text)::uuid AS app_id, max(seq) AS seq, max(at) AS at
               FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::bigint[], $5::timestamptz[]) AS x(chat_id, app_id, user_id, seq, at)
              GROUP BY chat_id, user_id ORDER BY chat_id, user_id) p
     ON CONFLICT (chat_id, user_id) DO UPDATE SET
       read_seq = GREATEST(m.read_seq, EXCLUDED.read_seq), read_at = EXCLUDED.read_at,
       delivered_seq = GREATEST(m.delivered_seq, EXCLUDED.delivered_seq), delivered_at = EXCLUDED.delivered_at,
       last_post_at = EXCLUDED.last_post_at`,
    values: [posts.map((p) => p.chatId), posts.map((p) => p.appId), posts.map((p) => p.userId), posts.map((p) => p.seq), posts.map((p) => p.at)],
  };
}

/** When each (chat, user) last posted; pairs that never did come back without a row. */
export function lastPostsStatement(pairs: { chatId: string; userId: string }[]): Statement {
  return {
    query: `SELECT m.chat_id AS "chatId", m.user_id AS "userId", m.last_post_at AS "lastPostAt"
       FROM unnest($1::uuid[], $2::uuid[]) AS p(chat_id, user_id)
       JOIN members m ON m.chat_id = p.chat_id AND m.user_id = p.user_id
      WHERE m.last_post_at IS NOT NULL`,
    values: [pairs.map((p) => p.chatId), pairs.map((p) => p.userId)],
  };
}

export async function listMarkers(t: Executor, chatId: string, minSeq: number): Promise<MarkerRow[]> {
  const rows = await t.any(
    `SELECT user_id AS "userId", read_seq AS "readSeq", read_at AS "readAt", delivered_seq AS "deliveredSeq", delivered_at AS "deliveredAt"
       FROM members WHERE chat_id = $1 AND delivered_seq >= $2`,
    [chatId, minSeq],
  );
  return rows.map((r) => ({ ...r, readSeq: Number(r.readSeq), deliveredSeq: Number(r.deliveredSeq) }));
}

export interface UnreadRow {
  chatId: string;
  unreadCount: number;
  mentionCount: number;
}

/**
 * Unread and mention counts per chat of the user: messages by others after the read marker,
 * not deleted, visible to the user, not hidden by them; silent ones only when `countSilent`.
 */
export async function unreadCounts(t: Executor, q: { userId: string; chatIds: string[] | null; countSilent: boolean }): Promise<UnreadRow[]> {
  const rows = await t.any(
    `SELECT mb.chat_id AS "chatId", c.unread::int AS "unreadCount", c.mentions::int AS "mentionCount"
       FROM members mb
       JOIN chats ch ON ch.chat_id = mb.chat_id AND NOT ch.deleted
       CROSS JOIN LATERAL (
         SELECT count(*) AS unread, count(*) FILTER (WHERE $<userId> = ANY(m.mentions)) AS mentions
           FROM messages m
          WHERE m.chat_id = mb.chat_id AND m.seq > GREATEST(mb.read_seq, ch.truncated_seq)
            AND m.sender_id <> $<userId> AND m.deleted_at IS NULL AND m.visible_to IS NULL
            AND ($<countSilent> OR NOT m.silent)
            AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.chat_id = m.chat_id AND h.user_id = $<userId> AND h.message_id = m.id)
       ) c
      WHERE mb.user_id = $<userId> AND ($<chatIds>::uuid[] IS NULL OR mb.chat_id = ANY($<chatIds>::uuid[]))`,
    q,
  );
  return rows;
}
