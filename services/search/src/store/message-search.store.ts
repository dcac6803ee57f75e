import type { Executor } from '@chat/service-kit';
import { type ParsedQuery, matchSql, scoreSql } from '../domain/query.js';

/** The text the substring index covers (the same expression as `messages_doc_trgm`). */
const DOC = `(m.body || ' ' || m.files)`;

export interface MessageSearch {
  appId: string;
  userId: string;
  query: ParsedQuery | null;
  /**
   * How the rows are found: `chats`, the caller is in few chats (the chat index); `index`, a rare
   * match among many chats (full-text and trigram indexes); `slices`, a common match (or none)
   * among many chats (newest-first time slices, see `search-messages.ts`).
   */
  walk: 'chats' | 'index' | 'slices';
  /** For `slices`: how far back the first slice reaches, in ms (then each slice is four times wider). */
  firstSliceMs?: number;
  chatId?: string;
  senderId?: string;
  after?: string;
  before?: string;
  hasAttachment?: boolean;
  kind?: string;
  mentionsMe?: boolean;
}

export interface MessageRow {
  chatId: string;
  id: string;
  seq: number;
  senderId: string;
  kind: string;
  body: string;
  files: string;
  hasAttachment: boolean;
  mentions: string[];
  createdAt: string;
  editedAt: string | null;
  score: number;
}

/** Keyset position in recency order. */
export interface RecentKey {
  t: string;
  id: string;
}

export interface Slice {
  /** Only rows before this position (newest first). */
  below?: RecentKey;
  /** Only rows sent at or after this time. */
  since?: string;
}

const COLUMNS = `m.chat_id AS "chatId", m.id, m.seq, m.sender_id AS "senderId", m.kind, m.body, m.files, m.has_attachment AS "hasAttachment",
  m.mentions, m.created_at AS "createdAt", m.edited_at AS "editedAt"`;

/**
 * Every rule of what a member may find, in the query itself: only chats the caller is a member of
 * now, not deleted for everyone, not hidden for the caller, not at or before a truncate,
 * shadow-banned messages only for their sender.
 */
function conditions(s: MessageSearch, slice: Slice): { where: string[]; params: Record<string, unknown> } {
  const params: Record<string, unknown> = { ...s, me: s.userId, below: slice.below, since: slice.since };
  const where = [
    'm.app_id = $<appId>',
    'NOT m.deleted',
    '(mine.truncated_at IS NULL OR m.created_at > mine.truncated_at)',
    '(m.visible_to IS NULL OR m.visible_to = $<me>)',
    'NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.user_id = $<me> AND h.chat_id = m.chat_id AND h.message_id = m.id)',
  ];
  if (s.query) {
    const match = matchSql(s.query, DOC, 'm.tsv', 'q', { substringIndex: s.walk === 'index' });
    where.push(match.sql);
    Object.assign(params, match.params);
  }
  if (slice.below) where.push('(m.created_at, m.id) < ($<below.t>::timestamptz, $<below.id>::uuid)');
  if (slice.since) where.push('m.created_at >= $<since>::timestamptz');
  if (s.senderId) where.push('m.sender_id = $<senderId>');
  if (s.after) where.push('m.created_at >= $<after>');
  if (s.before) where.push('m.created_at < $<before>');
  if (s.hasAttachment !== undefined) where.push('m.has_attachment = $<hasAttachment>');
  if (s.kind) where.push('m.kind = $<kind>');
  if (s.mentionsMe) where.push('$<me> = ANY (m.mentions)');
  return { where, params };
}

const toRow = (r: Record<string, unknown>): MessageRow => ({
  ...(r as unknown as MessageRow),
  seq: Number(r.seq),
  score: Number(r.score ?? 0),
  createdAt: new Date(r.createdAt as string).toISOString(),
  editedAt: r.editedAt ? new Date(r.editedAt as string).toISOString() : null,
});

/** The chats the caller is a member of now, with their truncation point. */
const mine = (s: MessageSearch) => `mine AS MATERIALIZED (
  SELECT mb.chat_id, c.truncated_at FROM members mb LEFT JOIN chats c ON c.chat_id = mb.chat_id
   WHERE mb.user_id = $<me> AND mb.app_id = $<appId> AND mb.active AND c.deleted IS NOT TRUE ${s.chatId ? 'AND mb.chat_id = $<chatId>' : ''})`;

/** The newest `limit` visible matches within `slice`, newest first, each with its relevance score. */
export async function newestMatches(t: Executor, s: MessageSearch, slice: Slice, limit: number): Promise<MessageRow[]> {
  const { where, params } = conditions(s, slice);
  const rows = await t.any(
    `WITH ${mine(s)}
     SELECT ${COLUMNS}, ${s.query ? scoreSql('m.tsv', 'q') : '0'} AS score
       FROM messages m JOIN mine ON mine.chat_id = m.chat_id
      WHERE ${where.join(' AND ')}
      ORDER BY m.created_at DESC, m.id DESC LIMIT $<limit>`,
    { ...params, limit },
  );
  return rows.map(toRow);
}

/** How many chats the caller is a member of now (picks how a search walks the messages). */
export async function countMyChats(t: Executor, appId: string, userId: string): Promise<number> {
  return (await t.one('SELECT count(*)::int AS n FROM members WHERE user_id = $1 AND app_id = $2 AND active', [userId, appId])).n;
}

/**
 * Of the app's newest `k` messages, how many the search would return (caller's chats, every rule
 * and filter), and how far back they reach: the density and pace a newest-first walk would meet.
 * Only picks how to search; the trigram index's own row estimate is far off for common fragments.
 */
export async function sampleHits(t: Executor, s: MessageSearch, k: number): Promise<{ hits: number; spanMs: number }> {
  const { where, params } = conditions({ ...s, walk: 'slices' }, {});
  const row = await t.one(
    `WITH ${mine(s)}
     SELECT count(*) FILTER (WHERE mine.chat_id IS NOT NULL AND ${where.join(' AND ')})::int AS hits,
            coalesce(extract(epoch FROM now() - min(m.created_at)) * 1000, 0)::float8 AS "spanMs"
       FROM (SELECT * FROM messages WHERE NOT deleted ORDER BY created_at DESC, id DESC LIMIT $<k>) m
       LEFT JOIN mine ON mine.chat_id = m.chat_id`,
    { ...params, k },
  );
  return { hits: row.hits, spanMs: Math.max(0, Number(row.spanMs)) };
}
