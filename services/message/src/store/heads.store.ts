import type { Executor } from '@chat/service-kit';
import { type MessageRow, toRow } from './messages.store.js';

export interface HeadRow {
  chatId: string;
  lastSeq: number;
  lastMessage: MessageRow | null;
}

/** For each chat the viewer is a member of: its head seq and the newest message the viewer may see. */
export async function listHeads(t: Executor, viewer: string, chatIds: string[]): Promise<HeadRow[]> {
  if (chatIds.length === 0) return [];
  const rows = await t.any(
    `SELECT c.chat_id AS "headChatId", c.last_seq AS "lastSeq", lm.*
       FROM chats c
       JOIN members mb ON mb.chat_id = c.chat_id AND mb.user_id = $1
       LEFT JOIN LATERAL (
         SELECT m.chat_id AS "chatId", m.seq, m.id, m.app_id AS "appId", m.sender_id AS "senderId",
                m.client_message_id AS "clientMessageId", m.type, m.text, m.attachments, m.reply_to_id AS "replyToId",
                m.thread_root_id AS "threadRootId", m.quoted_message_id AS "quotedMessageId", m.mentions, m.silent,
                m.forwarded_from AS "forwardedFrom", m.location, m.contact, m.poll, m.visible_to AS "visibleTo",
                m.reply_count AS "replyCount", m.last_reply_at AS "lastReplyAt", m.pinned_at AS "pinnedAt", m.pinned_by AS "pinnedBy",
                m.edited_at AS "editedAt", m.deleted_at AS "deletedAt", m.created_at AS "createdAt"
           FROM messages m
          WHERE m.chat_id = c.chat_id AND m.seq > c.truncated_seq AND (m.visible_to IS NULL OR m.visible_to = $1)
            AND NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.chat_id = m.chat_id AND h.user_id = $1 AND h.message_id = m.id)
          ORDER BY m.seq DESC LIMIT 1) lm ON true
      WHERE c.chat_id = ANY($2::uuid[]) AND NOT c.deleted`,
    [viewer, chatIds],
  );
  return rows.map((r) => ({ chatId: r.headChatId, lastSeq: Number(r.lastSeq), lastMessage: r.id ? toRow(r) : null }));
}
