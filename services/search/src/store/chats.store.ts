import type { Executor } from '@chat/service-kit';

export interface ChatRow {
  chatId: string;
  appId: string;
  type: string;
  name: string | null;
  description: string | null;
  isPublic: boolean;
  at: string;
}

/** Creates or updates a chat's searchable info; an older event never overwrites a newer one. */
export async function upsertChat(t: Executor, c: ChatRow): Promise<void> {
  await t.none(
    `INSERT INTO chats (chat_id, app_id, type, name, description, is_public, changed_at)
     VALUES ($<chatId>, $<appId>, $<type>, $<name>, $<description>, $<isPublic>, $<at>)
     ON CONFLICT (chat_id) DO UPDATE
       SET type = excluded.type, name = excluded.name, description = excluded.description, is_public = excluded.is_public, changed_at = excluded.changed_at
     WHERE chats.changed_at <= excluded.changed_at AND NOT chats.deleted`,
    c,
  );
}

/** Truncation only moves forward; a chat first known by its truncation gets a placeholder row. */
export async function setTruncatedAt(t: Executor, c: { chatId: string; appId: string; truncatedAt: string }): Promise<void> {
  await t.none(
    `INSERT INTO chats (chat_id, app_id, type, truncated_at, changed_at) VALUES ($<chatId>, $<appId>, 'group', $<truncatedAt>, '-infinity')
     ON CONFLICT (chat_id) DO UPDATE SET truncated_at = GREATEST(chats.truncated_at, excluded.truncated_at)`,
    c,
  );
}

export async function markChatDeleted(t: Executor, c: { chatId: string; appId: string; at: string }): Promise<void> {
  await t.none(
    `INSERT INTO chats (chat_id, app_id, type, deleted, changed_at) VALUES ($<chatId>, $<appId>, 'group', true, $<at>)
     ON CONFLICT (chat_id) DO UPDATE SET deleted = true, name = NULL, description = NULL`,
    c,
  );
}

export async function isChatDeleted(t: Executor, chatId: string): Promise<boolean> {
  return (await t.oneOrNone('SELECT 1 FROM chats WHERE chat_id = $1 AND deleted', [chatId])) !== null;
}
