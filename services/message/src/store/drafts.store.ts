import type { Executor } from '@chat/service-kit';

export interface DraftRow {
  chatId: string;
  text: string;
  updatedAt: Date;
}

export async function saveDraft(t: Executor, q: { chatId: string; userId: string; appId: string; text: string; at: Date }): Promise<void> {
  await t.none(
    `INSERT INTO drafts (chat_id, user_id, app_id, text, updated_at) VALUES ($<chatId>, $<userId>, $<appId>, $<text>, $<at>)
     ON CONFLICT (chat_id, user_id) DO UPDATE SET text = EXCLUDED.text, updated_at = EXCLUDED.updated_at`,
    q,
  );
}

export async function clearDraft(t: Executor, chatId: string, userId: string): Promise<void> {
  await t.none('DELETE FROM drafts WHERE chat_id = $1 AND user_id = $2', [chatId, userId]);
}

export function listDrafts(t: Executor, appId: string, userId: string): Promise<DraftRow[]> {
  return t.any(
    `SELECT d.chat_id AS "chatId", d.text, d.updated_at AS "updatedAt" FROM drafts d
      WHERE d.user_id = $2 AND d.app_id = $1
      ORDER BY d.updated_at DESC LIMIT 1000`,
    [appId, userId],
  );
}
