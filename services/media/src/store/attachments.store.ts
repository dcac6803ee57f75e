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
