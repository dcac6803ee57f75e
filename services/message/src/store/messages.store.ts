import type { Executor } from '@chat/service-kit';
import type { Statement } from './statement.js';

/** A stored message (content of a deleted one is already cleared). */
export interface MessageRow {
  chatId: string;
  seq: number;
  id: string;
  appId: string;
  senderId: string;
  clientMessageId: string;
  type: string;
  text: string | null;
  attachments: unknown[];
  replyToId: string | null;
  threadRootId: string | null;
  quotedMessageId: string | null;
  mentions: string[];
  silent: boolean;
  forwardedFrom: Record<string, unknown> | null;
  location: Record<string, unknown> | null;
  contact: Record<string, unknown> | null;
  poll: StoredPoll | null;
  visibleTo: string | null;
  replyCount: number;
  lastReplyAt: Date | null;
  pinnedAt: Date | null;
  pinnedBy: string | null;
  editedAt: Date | null;
  deletedAt: Date | null;
  createdAt: Date;
}

export interface StoredPoll {
  question: string;
  multipleChoice: boolean;
  options: string[];
}

export type NewMessage = Omit<MessageRow, 'replyCount' | 'lastReplyAt' | 'pinnedAt' | 'pinnedBy' | 'editedAt' | 'deletedAt'>;

const COLUMNS = `m.chat_id AS "chatId", m.seq, m.id, m.app_id AS "appId", m.sender_id AS "senderId",
  m.client_message_id AS "clientMessageId", m.type, m.text, m.attachments, m.reply_to_id AS "replyToId",
  m.thread_root_id AS "threadRootId", m.quoted_message_id AS "quotedMessageId", m.mentions, m.silent,
  m.forwarded_from AS "forwardedFrom", m.location, m.contact, m.poll, m.visible_to AS "visibleTo",
  m.reply_count AS "replyCount", m.last_reply_at AS "lastReplyAt", m.pinned_at AS "pinnedAt", m.pinned_by AS "pinnedBy",
  m.edited_at AS "editedAt", m.deleted_at AS "deletedAt", m.created_at AS "createdAt"`;

export const toRow = (r: MessageRow & { seq: number | string }): MessageRow => ({ ...r, seq: Number(r.seq) });

/**
 * What `viewer` may see of a chat: nothing a truncate hid (at or below `truncatedSeq`, SQL), nothing
 * they deleted for themself, others' shadow-banned messages never. Expects `m` and the parameter `viewer`.
 */
const visibleToViewer = (truncatedSeq: string) => `m.seq > ${truncatedSeq}
  AND (m.visible_to IS NULL OR m.visible_to = $<viewer>)
  AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.chat_id = m.chat_id AND h.user_id = $<viewer> AND h.message_id = m.id)`;

/** `visibleToViewer` with the truncate point as the parameter `truncatedSeq`. */
export const VISIBLE_TO_VIEWER = visibleToViewer('$<truncatedSeq>');

export async function findMessage(t: Executor, id: string): Promise<MessageRow | null> {
  const row = await t.oneOrNone(`SELECT ${COLUMNS} FROM messages m WHERE m.id = $1`, [id]);
  return row && toRow(row);
}

/** The message by id within one chat, locked for an update. */
export async function lockMessage(t: Executor, chatId: string, id: string): Promise<MessageRow | null> {
  const row = await t.oneOrNone(`SELECT ${COLUMNS} FROM messages m WHERE m.chat_id = $1 AND m.id = $2 FOR UPDATE`, [chatId, id]);
  return row && toRow(row);
}

/** Stored messages matching (chat, sender, clientMessageId) keys, across chats. */
export async function findByClientIds(t: Executor, keys: ClientKey[]): Promise<MessageRow[]> {
  if (keys.length === 0) return [];
  const { query, values } = findByClientIdsStatement(keys);
  return (await t.any(query, values)).map(toRow);
}

export interface ClientKey {
  chatId: string;
  senderId: string;
  clientMessageId: string;
}

/** The rows come back as stored rows through `toRow`. */
export function findByClientIdsStatement(keys: ClientKey[]): Statement {
  return {
    query: `SELECT ${COLUMNS} FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS k(chat_id, sender_id, client_message_id)
       JOIN messages m ON m.chat_id = k.chat_id AND m.sender_id = k.sender_id AND m.client_message_id = k.client_message_id`,
    values: [keys.map((k) => k.chatId), keys.map((k) => k.senderId), keys.map((k) => k.clientMessageId)],
  };
}

export function insertMessagesStatement(rows: NewMessage[]): Statement {
  return {
    query: `INSERT INTO messages (chat_id, seq, id, app_id, sender_id, client_message_id, type, text, attachments, reply_to_id,
       thread_root_id, quoted_message_id, mentions, silent, forwarded_from, location, contact, poll, visible_to, created_at)
     SELECT chat_id, seq, id, app_id, sender_id, client_message_id, type, text, COALESCE(attachments, '[]'), reply_to_id,
       thread_root_id, quoted_message_id, COALESCE(mentions, '{}'), silent, forwarded_from, location, contact, poll, visible_to, created_at
       FROM json_to_recordset($1::json) AS x(chat_id uuid, seq bigint, id uuid, app_id uuid, sender_id uuid, client_message_id text,
         type text, text text, attachments jsonb, reply_to_id uuid, thread_root_id uuid, quoted_message_id uuid, mentions uuid[],
         silent boolean, forwarded_from jsonb, location jsonb, contact jsonb, poll jsonb, visible_to uuid, created_at timestamptz)`,
    values: [
      JSON.stringify(
        rows.map((r) => ({
          chat_id: r.chatId,
          seq: r.seq,
          id: r.id,
          app_id: r.appId,
          sender_id: r.senderId,
          client_message_id: r.clientMessageId,
          type: r.type,
          text: r.text,
          attachments: r.attachments,
          reply_to_id: r.replyToId,
          thread_root_id: r.threadRootId,
          quoted_message_id: r.quotedMessageId,
          mentions: r.mentions,
          silent: r.silent,
          forwarded_from: r.forwardedFrom,
          location: r.location,
          contact: r.contact,
          poll: r.poll,
          visible_to: r.visibleTo,
          created_at: r.createdAt.toISOString(),
        })),
      ),
    ],
  };
}

/** Counts replies on their threads' roots (one entry per reply: a root may appear several times). */
export function countRepliesStatement(replies: { chatId: string; rootId: string }[], at: Date): Statement {
  return {
    query: `UPDATE messages m SET reply_count = reply_count + n.count, last_reply_at = GREATEST(last_reply_at, $3)
       FROM (SELECT chat_id, id, count(*)::int AS count FROM unnest($1::uuid[], $2::uuid[]) AS r(chat_id, id) GROUP BY chat_id, id) n
      WHERE m.chat_id = n.chat_id AND m.id = n.id`,
    values: [replies.map((r) => r.chatId), replies.map((r) => r.rootId), at],
  };
}

export interface HistoryWindow {
  chatId: string;
  viewer: string;
  truncatedSeq: number;
  before: number | null;
  after: number | null;
  limit: number;
}

export interface ReactionView {
  emoji: string;
  count: number;
  me: boolean;
}

/**
 * A page by seq (newest first, or oldest first when reading forward from `after`) in one query:
 * the truncate point comes from the chat's head, and each message carries its reactions as
 * `viewer` sees them, in order of each emoji's first use. No head, no page.
 */
export async function listHistory(t: Executor, w: Omit<HistoryWindow, 'truncatedSeq'>): Promise<(MessageRow & { reactions: ReactionView[] })[]> {
  const forward = w.after !== null && w.before === null;
  const rows = await t.any(
    `SELECT ${COLUMNS}, COALESCE(rx.reactions, '[]'::json) AS reactions
       FROM chats ch
       JOIN messages m ON m.chat_id = ch.chat_id
       LEFT JOIN LATERAL (
         SELECT json_agg(json_build_object('emoji', x.emoji, 'count', x.count, 'me', x.me) ORDER BY x.first, x.emoji) AS reactions
           FROM (SELECT r.emoji, count(*)::int AS count, bool_or(r.user_id = $<viewer>) AS me, min(r.created_at) AS first
                   FROM reactions r WHERE r.chat_id = m.chat_id AND r.message_id = m.id GROUP BY r.emoji) x
       ) rx ON true
      WHERE ch.chat_id = $<chatId> AND ${visibleToViewer('ch.truncated_seq')}
        AND ($<before>::bigint IS NULL OR m.seq < $<before>) AND ($<after>::bigint IS NULL OR m.seq > $<after>)
      ORDER BY m.seq ${forward ? 'ASC' : 'DESC'} LIMIT $<limit>`,
    w,
  );
  return rows.map((r) => ({ ...toRow(r), reactions: r.reactions }));
}

export async function listReplies(t: Executor, w: HistoryWindow & { rootId: string }): Promise<MessageRow[]> {
  const rows = await t.any(
    `SELECT ${COLUMNS} FROM messages m
      WHERE m.chat_id = $<chatId> AND m.thread_root_id = $<rootId> AND ${VISIBLE_TO_VIEWER}
        AND ($<before>::bigint IS NULL OR m.seq < $<before>) AND ($<after>::bigint IS NULL OR m.seq > $<after>)
      ORDER BY m.seq ASC LIMIT $<limit>`,
    w,
  );
  return rows.map(toRow);
}

export async function listPinned(t: Executor, chatId: string, viewer: string, truncatedSeq: number): Promise<MessageRow[]> {
  const rows = await t.any(
    `SELECT ${COLUMNS} FROM messages m
      WHERE m.chat_id = $<chatId> AND m.pinned_at IS NOT NULL AND ${VISIBLE_TO_VIEWER}
      ORDER BY m.pinned_at DESC LIMIT 100`,
    { chatId, viewer, truncatedSeq },
  );
  return rows.map(toRow);
}

export async function updateText(t: Executor, chatId: string, id: string, text: string, at: Date): Promise<void> {
  await t.none('UPDATE messages SET text = $3, edited_at = $4 WHERE chat_id = $1 AND id = $2', [chatId, id, text, at]);
}

/** Leaves a tombstone: the seq stays, the content, pin and reactions go. */
export async function tombstone(t: Executor, chatId: string, id: string, at: Date): Promise<void> {
  await t.none(
    `UPDATE messages SET deleted_at = $3, text = NULL, attachments = '[]', mentions = '{}', location = NULL, contact = NULL,
            poll = NULL, forwarded_from = NULL, pinned_at = NULL, pinned_by = NULL
      WHERE chat_id = $1 AND id = $2`,
    [chatId, id, at],
  );
  await t.none('DELETE FROM reactions WHERE chat_id = $1 AND message_id = $2', [chatId, id]);
  await t.none('DELETE FROM poll_votes WHERE chat_id = $1 AND message_id = $2', [chatId, id]);
}

export async function setPinned(t: Executor, chatId: string, id: string, by: string | null, at: Date | null): Promise<void> {
  await t.none('UPDATE messages SET pinned_at = $4, pinned_by = $3 WHERE chat_id = $1 AND id = $2', [chatId, id, by, at]);
}

export async function hideMessage(t: Executor, chatId: string, userId: string, messageId: string): Promise<boolean> {
  const row = await t.oneOrNone('INSERT INTO hidden_messages (chat_id, user_id, message_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1', [
    chatId,
    userId,
    messageId,
  ]);
  return row !== null;
}

export async function isHidden(t: Executor, chatId: string, userId: string, messageId: string): Promise<boolean> {
  return (await t.oneOrNone('SELECT 1 FROM hidden_messages WHERE chat_id = $1 AND user_id = $2 AND message_id = $3', [chatId, userId, messageId])) !== null;
}

/** Messages `senderId` sent and did not delete, by id (ids are time-ordered), after `after`. */
export async function listSentBy(t: Executor, appId: string, senderId: string, after: string | null, limit: number): Promise<MessageRow[]> {
  const rows = await t.any(
    `SELECT ${COLUMNS} FROM messages m
      WHERE m.sender_id = $2 AND m.app_id = $1 AND m.deleted_at IS NULL AND ($3::uuid IS NULL OR m.id > $3)
      ORDER BY m.id LIMIT $4`,
    [appId, senderId, after, limit],
  );
  return rows.map(toRow);
}
