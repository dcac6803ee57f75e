import type { Executor } from '@chat/service-kit';
import { type ParsedQuery, matchSql, scoreSql } from '../domain/query.js';

/** The text the substring index covers (the same expression as `messages_doc_trgm`). */
const DOC = `(m.body || ' ' || m.files)`;

export interface MessageSearch {
  appId: string;
  userId: string;
  query: ParsedQuery | null;
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

/** Keyset position in relevance order. */
export interface RankedKey extends RecentKey {
  s: number;
}

const COLUMNS = `m.chat_id AS "chatId", m.id, m.seq, m.sender_id AS "senderId", m.kind, m.body, m.files, m.has_attachment AS "hasAttachment",
  m.mentions, m.created_at AS "createdAt", m.edited_at AS "editedAt"`;

/**
 * The chats the caller is a member of now, with their truncation point, and every rule of what a
 * member may find: not deleted for everyone, not hidden for the caller, not after a truncate,
 * shadow-banned messages only for their sender.
 */
function visible(s: MessageSearch): { cte: string; where: string[]; params: Record<string, unknown> } {
  const params: Record<string, unknown> = { ...s, me: s.userId };
  const where = [
    'm.app_id = $<appId>',
    'NOT m.deleted',
    '(mine.truncated_at IS NULL OR m.created_at > mine.truncated_at)',
    '(m.visible_to IS NULL OR m.visible_to = $<me>)',
    'NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.user_id = $<me> AND h.chat_id = m.chat_id AND h.message_id = m.id)',
  ];
  if (s.query) {
    const match = matchSql(s.query, DOC, 'm.tsv', 'q');
    where.push(match.sql);
    Object.assign(params, match.params);
  }
  if (s.senderId) where.push('m.sender_id = $<senderId>');
  if (s.after) where.push('m.created_at >= $<after>');
  if (s.before) where.push('m.created_at < $<before>');
  if (s.hasAttachment !== undefined) where.push('m.has_attachment = $<hasAttachment>');
  if (s.kind) where.push('m.kind = $<kind>');
  if (s.mentionsMe) where.push('$<me> = ANY (m.mentions)');
  const cte = `mine AS MATERIALIZED (
    SELECT mb.chat_id, c.truncated_at FROM members mb LEFT JOIN chats c ON c.chat_id = mb.chat_id
     WHERE mb.user_id = $<me> AND mb.app_id = $<appId> AND mb.active AND c.deleted IS NOT TRUE ${s.chatId ? 'AND mb.chat_id = $<chatId>' : ''})`;
  return { cte, where, params };
}

const toRow = (r: Record<string, unknown>): MessageRow => ({
  ...(r as unknown as MessageRow),
  seq: Number(r.seq),
  score: Number(r.score ?? 0),
  createdAt: new Date(r.createdAt as string).toISOString(),
  editedAt: r.editedAt ? new Date(r.editedAt as string).toISOString() : null,
});

/** Matches newest first, after `key`. */
export async function searchRecent(t: Executor, s: MessageSearch, key: RecentKey | undefined, limit: number): Promise<MessageRow[]> {
  const { cte, where, params } = visible(s);
  if (key) where.push('(m.created_at, m.id) < ($<kt>::timestamptz, $<kid>::uuid)');
  const score = s.query ? scoreSql('m.tsv', 'q') : '0';
  const rows = await t.any(
    `WITH ${cte}
     SELECT ${COLUMNS}, ${score} AS score
       FROM messages m JOIN mine ON mine.chat_id = m.chat_id
      WHERE ${where.join(' AND ')}
      ORDER BY m.created_at DESC, m.id DESC LIMIT $<limit>`,
    { ...params, kt: key?.t, kid: key?.id, limit },
  );
  return rows.map(toRow);
}

export interface RankedPage {
  rows: MessageRow[];
  /** Matches in the ranked window; when it is full, older matches follow below `floor`. */
  windowSize: number;
  floor: RecentKey | null;
}

/** The newest `window` matches, best first, after `key`. */
export async function searchRanked(t: Executor, s: MessageSearch, key: RankedKey | undefined, limit: number, window: number): Promise<RankedPage> {
  const { cte, where, params } = visible(s);
  const after = key ? 'WHERE (w.score, w."createdAt", w.id) < ($<ks>::int, $<kt>::timestamptz, $<kid>::uuid)' : '';
  const row = await t.one(
    `WITH ${cte},
     hits AS (
       SELECT ${COLUMNS}, m.tsv FROM messages m JOIN mine ON mine.chat_id = m.chat_id
        WHERE ${where.join(' AND ')}
        ORDER BY m.created_at DESC, m.id DESC LIMIT $<window>),
     w AS (SELECT hits.*, ${scoreSql('hits.tsv', 'q')} AS score FROM hits)
     SELECT (SELECT count(*) FROM hits)::int AS "windowSize",
            (SELECT json_build_object('t', "createdAt", 'id', id) FROM hits ORDER BY "createdAt", id LIMIT 1) AS floor,
            (SELECT coalesce(json_agg(p), '[]') FROM (
               SELECT w."chatId", w.id, w.seq, w."senderId", w.kind, w.body, w.files, w."hasAttachment", w.mentions, w."createdAt", w."editedAt", w.score
                 FROM w ${after} ORDER BY w.score DESC, w."createdAt" DESC, w.id DESC LIMIT $<limit>) p) AS rows`,
    { ...params, ks: key?.s, kt: key?.t, kid: key?.id, limit, window },
  );
  const floor = row.floor ? { t: new Date(row.floor.t).toISOString(), id: row.floor.id } : null;
  return { rows: (row.rows as Record<string, unknown>[]).map(toRow), windowSize: row.windowSize, floor };
}
