import type { Executor } from '@chat/service-kit';

export interface EditRow {
  version: number;
  text: string | null;
  /** When this text was set (the message's creation for the original). */
  editedAt: Date;
}

/** Keeps the text being replaced as the next version. */
export async function keepPreviousText(t: Executor, chatId: string, messageId: string, text: string | null, since: Date): Promise<void> {
  await t.none(
    `INSERT INTO message_edits (chat_id, message_id, version, text, edited_at)
     SELECT $1, $2, COALESCE(max(version), 0) + 1, $3, $4 FROM message_edits WHERE chat_id = $1 AND message_id = $2`,
    [chatId, messageId, text, since],
  );
}

export function listEdits(t: Executor, chatId: string, messageId: string): Promise<EditRow[]> {
  return t.any('SELECT version, text, edited_at AS "editedAt" FROM message_edits WHERE chat_id = $1 AND message_id = $2 ORDER BY version', [chatId, messageId]);
}

export async function deleteEdits(t: Executor, chatId: string, messageId: string): Promise<void> {
  await t.none('DELETE FROM message_edits WHERE chat_id = $1 AND message_id = $2', [chatId, messageId]);
}
