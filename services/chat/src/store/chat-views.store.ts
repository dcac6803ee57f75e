import type { ChatRole } from '@chat/contracts';
import type { Executor } from '@chat/service-kit';
import { CHAT_COLUMNS, type ChatRow } from './chats.store.js';

/** A chat with one member's role, settings and the chat's activity as that member sees it. */
export type ChatViewRow = ChatRow & {
  role: ChatRole;
  mutedUntil: Date | null;
  pinned: boolean;
  archived: boolean;
  activityAt: Date;
  /** `activityAt` in microseconds since the epoch (PostgreSQL's full precision), for list cursors. */
  activityKey: string;
};

const ACTIVITY = 'GREATEST(c.last_activity_at, m.joined_at)';
const ACTIVITY_US = `(extract(epoch FROM ${ACTIVITY}) * 1000000)::bigint`;
const VIEW = `SELECT ${CHAT_COLUMNS}, m.role, m.muted_until AS "mutedUntil", m.pinned, m.archived,
    ${ACTIVITY} AS "activityAt", ${ACTIVITY_US}::text AS "activityKey"
  FROM members m JOIN chats c ON c.id = m.chat_id`;

export function findChatView(t: Executor, appId: string, chatId: string, userId: string): Promise<ChatViewRow | null> {
  return t.oneOrNone<ChatViewRow>(`${VIEW} WHERE m.app_id = $1 AND m.chat_id = $2 AND m.user_id = $3 AND c.deleted_at IS NULL`, [appId, chatId, userId]);
}

export interface ActivityCursor {
  key: string;
  id: string;
}

/** A page of the user's chats (archived or not), most recent activity first, after `after` when given. */
export function listChatViews(
  t: Executor,
  appId: string,
  userId: string,
  archived: boolean,
  after: ActivityCursor | null,
  limit: number,
): Promise<ChatViewRow[]> {
  return t.manyOrNone<ChatViewRow>(
    `${VIEW}
     WHERE m.app_id = $<appId> AND m.user_id = $<userId> AND m.archived = $<archived> AND c.deleted_at IS NULL
       AND ($<afterKey>::bigint IS NULL OR (${ACTIVITY_US}, c.id) < ($<afterKey>::bigint, $<afterId>::uuid))
     ORDER BY ${ACTIVITY} DESC, c.id DESC LIMIT $<limit>`,
    { appId, userId, archived, afterKey: after?.key ?? null, afterId: after?.id ?? null, limit },
  );
}
