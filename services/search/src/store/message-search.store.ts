import type { Executor } from '@chat/service-kit';
import { type ParsedQuery, matchSql, scoreSql } from '../domain/query.js';

/** The text the substring index covers (the same expression as in `messages_hour_doc_trgm`). */
const DOC = `(m.body || ' ' || m.files)`;
/** The runs of letters and digits of the text (the same expression as in `messages_hour_runs`). */
const RUNS = `alnum_runs(m.body || ' ' || m.files)`;
/** The hour (UTC) a time falls in: the expression the message text indexes lead with. */
const hourOf = (time: string) => `date_trunc('hour', ${time} AT TIME ZONE 'UTC')`;

export interface MessageSearch {
  appId: string;
  userId: string;
  query: ParsedQuery | null;
  /**
   * How the rows are found: `chats`, the caller is in few chats (the chat index); `index`, a rare
   * match among many chats (full-text and trigram indexes, time slice by time slice); `slices`, a
   * common match (or none) among many chats (newest-first time slices, see `search-messages.ts`).
   */
  walk: 'chats' | 'index' | 'slices';
  /** For `index` and `slices`: how far back the first slice reaches, in ms (then each slice is up to four times wider). */
  firstSliceMs?: number;
  /** For `index` and `slices`: when the oldest message was sent (epoch ms); a slice reaching further takes everything older. */
  oldestMs?: number;
  /** For `index`: the share of the sampled messages that match the text (how many older matches a slice bound spares). */
  textShare?: number;
  /** For `index`: per query word, the dictionary words that contain it (null: the trigram index serves the word). */
  runs?: (string[] | null)[];
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
  /** In the `index` walk: which of `since` and `below` also bound the text indexes by the hour (where it pays, see `search-messages.ts`). */
  byHour?: { since: boolean; below: boolean };
}

const COLUMNS = `m.chat_id AS "chatId", m.id, m.seq, m.sender_id AS "senderId", m.kind, m.body, m.files, m.has_attachment AS "hasAttachment",
  m.mentions, m.created_at AS "createdAt", m.edited_at AS "editedAt"`;

/**
 * Every rule of what a member may find, in the query itself: only chats the caller is a member of
 * now, not deleted for everyone, not hidden for the caller, not at or before a truncate,
 * shadow-banned messages only for their sender.
 */
function conditions(s: MessageSearch, slice: Slice): { where: string[]; times: string[]; params: Record<string, unknown>; text?: string } {
  const params: Record<string, unknown> = { ...s, me: s.userId, below: slice.below, since: slice.since };
  let text: string | undefined;
  const where = [
    'm.app_id = $<appId>',
    'NOT m.deleted',
    '(mine.truncated_at IS NULL OR m.created_at > mine.truncated_at)',
    '(m.visible_to IS NULL OR m.visible_to = $<me>)',
    'NOT EXISTS (SELECT 1 FROM hidden_messages h WHERE h.user_id = $<me> AND h.chat_id = m.chat_id AND h.message_id = m.id)',
  ];
  if (s.query) {
    const index = s.walk === 'index';
    const match = matchSql(s.query, DOC, 'm.tsv', 'q', { substringIndex: index, runs: index && s.runs ? { of: RUNS, words: s.runs } : undefined });
    text = match.sql;
    where.push(text);
    Object.assign(params, match.params);
  }
  where.push(...hourBounds(slice));
  if (s.senderId) where.push('m.sender_id = $<senderId>');
  if (s.hasAttachment !== undefined) where.push('m.has_attachment = $<hasAttachment>');
  if (s.kind) where.push('m.kind = $<kind>');
  if (s.mentionsMe) where.push('$<me> = ANY (m.mentions)');
  // The exact time bounds, apart: the index walk applies them after the text indexes (see newestMatches).
  const times: string[] = [];
  if (slice.below) times.push('(m.created_at, m.id) < ($<below.t>::timestamptz, $<below.id>::uuid)');
  if (slice.since) times.push('m.created_at >= $<since>::timestamptz');
  if (s.after) times.push('m.created_at >= $<after>');
  if (s.before) times.push('m.created_at < $<before>');
  return { where, times, params, text };
}

/**
 * The slice's bounds again by the hour (coarser, so implied by the exact ones), for the text indexes
 * that lead with it: they then hand over only the matches within the bounds.
 */
function hourBounds(slice: Slice): string[] {
  const hour = hourOf('m.created_at');
  const bounds: string[] = [];
  if (slice.byHour?.since && slice.since) bounds.push(`${hour} >= ${hourOf('$<since>::timestamptz')}`);
  if (slice.byHour?.below && slice.below) bounds.push(`${hour} <= ${hourOf('$<below.t>::timestamptz')}`);
  return bounds;
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
  const { where, times, params } = conditions(s, slice);
  const score = s.query ? scoreSql('m.tsv', 'q') : '0';
  // The index walk applies the exact time bounds outside a fence (OFFSET 0), so that the rows come
  // from the text indexes (bounded by the hour): with the bounds inside, the planner may walk a time
  // index and test the text row by row instead, a cost it puts far too low.
  const sql =
    s.walk === 'index'
      ? `WITH ${mine(s)}
         SELECT ${COLUMNS}, m.score FROM (
           SELECT m.*, ${score} AS score FROM messages m JOIN mine ON mine.chat_id = m.chat_id WHERE ${where.join(' AND ')} OFFSET 0
         ) m
          WHERE ${times.length ? times.join(' AND ') : 'true'}
          ORDER BY m.created_at DESC, m.id DESC LIMIT $<limit>`
      : `WITH ${mine(s)}
         SELECT ${COLUMNS}, ${score} AS score FROM messages m JOIN mine ON mine.chat_id = m.chat_id
          WHERE ${[...where, ...times].join(' AND ')}
          ORDER BY m.created_at DESC, m.id DESC LIMIT $<limit>`;
  return (await t.any(sql, { ...params, limit })).map(toRow);
}

/** How many chats the caller is a member of now (picks how a search walks the messages). */
export async function countMyChats(t: Executor, appId: string, userId: string): Promise<number> {
  return (await t.one('SELECT count(*)::int AS n FROM members WHERE user_id = $1 AND app_id = $2 AND active', [userId, appId])).n;
}

/**
 * Of the app's newest `k` messages, how many match the text (in any chat), how many of those the
 * search would return (caller's chats, every rule and filter), and how far back they reach: the
 * density and pace a walk would meet; and when the oldest message was sent. Only picks how to
 * search; the trigram index's own row estimate is far off for common fragments.
 */
export async function sampleHits(t: Executor, s: MessageSearch, k: number): Promise<{ hits: number; textHits: number; spanMs: number; oldestMs: number }> {
  const { where: rules, times, params, text = 'true' } = conditions({ ...s, walk: 'slices' }, {});
  const where = [...rules, ...times];
  const row = await t.one(
    `WITH ${mine(s)},
     sample AS MATERIALIZED (SELECT * FROM messages WHERE NOT deleted ORDER BY created_at DESC, id DESC LIMIT $<k>),
     text AS MATERIALIZED (SELECT * FROM sample m WHERE ${text})
     SELECT (SELECT count(*) FROM text)::int AS "textHits",
            (SELECT count(*) FROM text m JOIN mine ON mine.chat_id = m.chat_id WHERE ${where.join(' AND ')})::int AS hits,
            (SELECT coalesce(extract(epoch FROM now() - min(created_at)) * 1000, 0) FROM sample)::float8 AS "spanMs",
            (SELECT coalesce(extract(epoch FROM min(created_at)) * 1000, 0) FROM messages WHERE NOT deleted)::float8 AS "oldestMs"`,
    { ...params, k },
  );
  return { hits: row.hits, textHits: row.textHits, spanMs: Math.max(0, Number(row.spanMs)), oldestMs: Number(row.oldestMs) };
}
