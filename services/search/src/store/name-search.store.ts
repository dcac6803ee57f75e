import type { Executor } from '@chat/service-kit';
import { type ParsedQuery, likePattern, matchSql, scoreSql } from '../domain/query.js';

export interface UserRow {
  id: string;
  username: string;
  displayName: string;
  /** 0 exact username or email/phone, 1 username prefix, 2 display-name prefix, 3 elsewhere in the display name. */
  tier: number;
  byName: boolean;
}

export interface UserKey {
  tier: number;
  name: string;
  id: string;
}

/** Users of the app by username prefix, display name, or exact email / phone digest. */
export async function findUsers(
  t: Executor,
  s: { appId: string; text: string; emailHash: Buffer | null; phoneHash: Buffer | null },
  key: UserKey | undefined,
  limit: number,
): Promise<UserRow[]> {
  const text = s.text.toLowerCase();
  const params = { ...s, exact: text, prefix: `${likePattern(text).slice(1)}`, contains: likePattern(text), key, limit };
  const byName = `(lower(u.username) LIKE $<prefix> OR lower(u.display_name) LIKE $<contains>)`;
  return t.any(
    `SELECT * FROM (
       SELECT u.user_id AS id, u.username, u.display_name AS "displayName", ${byName} AS "byName",
              CASE WHEN lower(u.username) = $<exact> OR u.email_hash = $<emailHash> OR u.phone_hash = $<phoneHash> THEN 0
                   WHEN lower(u.username) LIKE $<prefix> THEN 1
                   WHEN lower(u.display_name) LIKE $<prefix> THEN 2 ELSE 3 END AS tier
         FROM users u
        WHERE u.app_id = $<appId> AND NOT u.deleted
          AND (${byName} OR u.email_hash = $<emailHash> OR u.phone_hash = $<phoneHash>)) x
      WHERE ${key ? '(x.tier, lower(x.username), x.id) > ($<key.tier>, $<key.name>, $<key.id>::uuid)' : 'true'}
      ORDER BY x.tier, lower(x.username), x.id LIMIT $<limit>`,
    params,
  );
}

export interface ChatRow {
  id: string;
  type: string;
  name: string | null;
  description: string | null;
  isPublic: boolean;
  isMember: boolean;
  memberCount: number;
  score: number;
}

export interface ChatKey {
  s: number;
  id: string;
}

/** Public chats of the app and the caller's own whose name or description match. */
export async function findChats(
  t: Executor,
  s: { appId: string; userId: string; query: ParsedQuery },
  key: ChatKey | undefined,
  limit: number,
): Promise<ChatRow[]> {
  const match = matchSql(s.query, `(coalesce(c.name, '') || ' ' || coalesce(c.description, ''))`, 'c.tsv', 'q');
  const rows = await t.any(
    `SELECT x.*, (SELECT count(*) FROM members n WHERE n.chat_id = x.id AND n.active)::int AS "memberCount" FROM (
       SELECT c.chat_id AS id, c.type, c.name, c.description, c.is_public AS "isPublic", (mb.user_id IS NOT NULL) AS "isMember",
              ${scoreSql('c.tsv', 'q')} AS score
         FROM chats c LEFT JOIN members mb ON mb.chat_id = c.chat_id AND mb.user_id = $<me> AND mb.active
        WHERE c.app_id = $<appId> AND NOT c.deleted AND (c.is_public OR mb.user_id IS NOT NULL) AND ${match.sql}) x
      WHERE ${key ? '(x.score < $<key.s> OR (x.score = $<key.s> AND x.id > $<key.id>::uuid))' : 'true'}
      ORDER BY x.score DESC, x.id LIMIT $<limit>`,
    { ...match.params, appId: s.appId, me: s.userId, key, limit },
  );
  return rows.map((r) => ({ ...r, score: Number(r.score) }));
}
