import type { Executor } from '@chat/service-kit';

export interface NewAttachment {
  appId: string;
  chatId: string;
  messageId: string;
}

/** Records that a message shows these media; recording it again changes nothing. */
export async function insertAttachments(t: Executor, mediaIds: string[], a: NewAttachment): Promise<void> {
  await t.none(
    `INSERT INTO attachments (media_id, message_id, app_id, chat_id)
     SELECT unnest($1::uuid[]), $2, $3, $4
     ON CONFLICT (media_id, message_id) DO NOTHING`,
    [mediaIds, a.messageId, a.appId, a.chatId],
  );
}

export async function isAttached(t: Executor, mediaId: string): Promise<boolean> {
  return (await t.oneOrNone('SELECT 1 FROM attachments WHERE media_id = $1 LIMIT 1', [mediaId])) !== null;
}

/** Of `mediaIds`, those some message still shows. */
export async function attachedAmong(t: Executor, mediaIds: string[]): Promise<Set<string>> {
  if (mediaIds.length === 0) return new Set();
  const rows = await t.manyOrNone<{ mediaId: string }>('SELECT DISTINCT media_id AS "mediaId" FROM attachments WHERE media_id IN ($1:csv)', [mediaIds]);
  return new Set(rows.map((r) => r.mediaId));
}

/** A chat a media was posted in, with when it was last posted there. */
export interface PostedIn {
  chatId: string;
  lastPostedAt: Date;
}

/** The chats (of the media's app) where messages show the media, most recent first, at most `limit`. */
export function chatsShowing(t: Executor, appId: string, mediaId: string, limit: number): Promise<PostedIn[]> {
  return t.manyOrNone<PostedIn>(
    `SELECT chat_id AS "chatId", max(created_at) AS "lastPostedAt" FROM attachments
     WHERE app_id = $1 AND media_id = $2 GROUP BY chat_id ORDER BY max(created_at) DESC LIMIT $3`,
    [appId, mediaId, limit],
  );
}

/** Media a message of the app shows. */
export async function mediaOfMessage(t: Executor, appId: string, messageId: string): Promise<string[]> {
  const rows = await t.manyOrNone<{ mediaId: string }>('SELECT media_id AS "mediaId" FROM attachments WHERE app_id = $1 AND message_id = $2', [
    appId,
    messageId,
  ]);
  return rows.map((r) => r.mediaId);
}

export async function deleteMessageAttachments(t: Executor, appId: string, messageId: string): Promise<void> {
  await t.none('DELETE FROM attachments WHERE app_id = $1 AND message_id = $2', [appId, messageId]);
}
