import type { LogEvent, LogEventType } from '@chat/contracts';
import { type Executor, type JsonText, withJsonField } from '@chat/service-kit';
import type { Statement } from './statement.js';

export interface ChatHead {
  chatId: string;
  appId: string;
  lastSeq: number;
  truncatedSeq: number;
  deleted: boolean;
}

const HEAD = `chat_id AS "chatId", app_id AS "appId", last_seq AS "lastSeq", truncated_seq AS "truncatedSeq", deleted`;
const toHead = (r: ChatHead): ChatHead => ({ ...r, lastSeq: Number(r.lastSeq), truncatedSeq: Number(r.truncatedSeq) });

/**
 * Locks the chat's head row (creating it on first use) until the transaction ends: every append
 * to the chat's log happens under this lock, which is what makes seq gap-free and ordered.
 */
export async function lockHead(t: Executor, chatId: string, appId: string): Promise<ChatHead> {
  const row = await t.one(
    `INSERT INTO chats (chat_id, app_id) VALUES ($1, $2)
     ON CONFLICT (chat_id) DO UPDATE SET last_seq = chats.last_seq
     RETURNING ${HEAD}`,
    [chatId, appId],
  );
  return toHead(row);
}

/**
 * Locks several chats' heads in chat-id order (so two writers never wait on each other in a
 * cycle), creating missing ones; the rows come back as heads (`toHeads`).
 */
export function lockHeadsStatement(chats: { chatId: string; appId: string }[]): Statement {
  const unique = [...new Map(chats.map((c) => [c.chatId, c])).values()].sort((a, b) => (a.chatId < b.chatId ? -1 : 1));
  if (unique.length === 1) {
    return {
      query: `INSERT INTO chats (chat_id, app_id) VALUES ($1, $2) ON CONFLICT (chat_id) DO UPDATE SET last_seq = chats.last_seq RETURNING ${HEAD}`,
      values: [unique[0]!.chatId, unique[0]!.appId],
    };
  }
  return {
    query: `INSERT INTO chats (chat_id, app_id)
     SELECT chat_id, app_id FROM unnest($1::uuid[], $2::uuid[]) AS x(chat_id, app_id) ORDER BY chat_id
     ON CONFLICT (chat_id) DO UPDATE SET last_seq = chats.last_seq
     RETURNING ${HEAD}`,
    values: [unique.map((c) => c.chatId), unique.map((c) => c.appId)],
  };
}

export const toHeads = (rows: unknown[]): Map<string, ChatHead> => new Map((rows as ChatHead[]).map((r) => [r.chatId, toHead(r)]));

export async function findHead(t: Executor, chatId: string): Promise<ChatHead | null> {
  const row = await t.oneOrNone(`SELECT ${HEAD} FROM chats WHERE chat_id = $1`, [chatId]);
  return row && toHead(row);
}

export async function setLastSeqs(t: Executor, heads: { chatId: string; lastSeq: number }[]): Promise<void> {
  const { query, values } = setLastSeqsStatement(heads);
  await t.none(query, values);
}

export function setLastSeqsStatement(heads: { chatId: string; lastSeq: number }[]): Statement {
  if (heads.length === 1) return { query: 'UPDATE chats SET last_seq = $2 WHERE chat_id = $1', values: [heads[0]!.chatId, heads[0]!.lastSeq] };
  return {
    query: 'UPDATE chats c SET last_seq = x.last_seq FROM unnest($1::uuid[], $2::bigint[]) AS x(chat_id, last_seq) WHERE c.chat_id = x.chat_id',
    values: [heads.map((h) => h.chatId), heads.map((h) => h.lastSeq)],
  };
}

export async function setTruncatedBefore(t: Executor, chatId: string, truncatedAt: Date): Promise<number> {
  const row = await t.one(
    `UPDATE chats SET truncated_seq = GREATEST(truncated_seq,
       COALESCE((SELECT max(seq) FROM messages WHERE chat_id = $1 AND created_at <= $2), 0))
     WHERE chat_id = $1 RETURNING truncated_seq AS "truncatedSeq"`,
    [chatId, truncatedAt],
  );
  return Number(row.truncatedSeq);
}

export async function markChatDeleted(t: Executor, chatId: string): Promise<void> {
  await t.none('UPDATE chats SET deleted = true WHERE chat_id = $1', [chatId]);
}

export interface NewLogEvent {
  chatId: string;
  seq: number;
  type: LogEventType;
  actorId: string | null;
  messageId: string | null;
  visibleTo: string | null;
  sourceId: string | null;
  data: Record<string, unknown>;
  /** `data` serialised already, when the caller has it. */
  dataJson?: JsonText;
  createdAt: Date;
}

export async function insertEvents(t: Executor, events: NewLogEvent[]): Promise<void> {
  const { query, values } = insertEventsStatement(events);
  await t.none(query, values);
}

export function insertEventsStatement(events: NewLogEvent[]): Statement {
  return {
    query: `INSERT INTO events (chat_id, seq, type, actor_id, message_id, visible_to, source_id, data, created_at)
     SELECT chat_id, seq, type, actor_id, message_id, visible_to, source_id, data, created_at
       FROM json_to_recordset($1::json) AS x(chat_id uuid, seq bigint, type text, actor_id uuid, message_id uuid, visible_to uuid,
         source_id uuid, data json, created_at timestamptz)`,
    values: [
      `[${events
        .map((e) => {
          const row = JSON.stringify({
            chat_id: e.chatId,
            seq: e.seq,
            type: e.type,
            actor_id: e.actorId,
            message_id: e.messageId,
            visible_to: e.visibleTo,
            source_id: e.sourceId,
            created_at: e.createdAt.toISOString(),
          });
          return withJsonField(row, 'data', e.dataJson?.json ?? JSON.stringify(e.data));
        })
        .join(',')}]`,
    ],
  };
}

export async function hasSourceEvent(t: Executor, chatId: string, sourceId: string): Promise<boolean> {
  return (await t.oneOrNone('SELECT 1 FROM events WHERE chat_id = $1 AND source_id = $2', [chatId, sourceId])) !== null;
}

/** Log events after `after` that `viewer` may see, in seq order. */
export async function listEventsAfter(
  t: Executor,
  q: { chatId: string; viewer: string; after: number; truncatedSeq: number; limit: number },
): Promise<LogEvent[]> {
  const rows = await t.any(
    `SELECT e.seq, e.type, e.created_at AS "createdAt", e.actor_id AS "actorId", e.data
       FROM events e
      WHERE e.chat_id = $<chatId> AND e.seq > $<after>
        AND (e.visible_to IS NULL OR e.visible_to = $<viewer>)
        AND (e.message_id IS NULL OR (
              NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.chat_id = e.chat_id AND h.user_id = $<viewer> AND h.message_id = e.message_id)
              AND EXISTS (SELECT 1 FROM messages m WHERE m.chat_id = e.chat_id AND m.id = e.message_id AND m.seq > $<truncatedSeq>)))
      ORDER BY e.seq LIMIT $<limit>`,
    q,
  );
  return rows.map((r) => ({ seq: Number(r.seq), type: r.type, createdAt: r.createdAt.toISOString(), actorId: r.actorId, data: r.data }));
}

/** Replaces the data of a message's earlier log events (a deleted message's content leaves the log too). */
export async function scrubMessageEvents(t: Executor, chatId: string, messageId: string, data: Record<string, unknown>): Promise<void> {
  await t.none(`UPDATE events SET data = $3 WHERE chat_id = $1 AND message_id = $2 AND type IN ('message.created', 'message.edited')`, [
    chatId,
    messageId,
    JSON.stringify(data),
  ]);
}
