import type { MessageDeps } from '../deps.js';
import { clearDraft, listDrafts, saveDraft } from '../store/drafts.store.js';
import type { Caller } from './caller.js';
import { txThenPublish } from './live.js';

/** Saves (or, with empty text, clears) the caller's draft; their other devices get `draft.updated`. */
export async function putDraft(deps: MessageDeps, caller: Caller, chatId: string, text: string) {
  await deps.access.require(caller.appId, chatId, caller.userId, 'read');
  const at = new Date();
  await txThenPublish(deps.platform, async (t, live) => {
    if (text === '') await clearDraft(t, chatId, caller.userId);
    else await saveDraft(t, { chatId, userId: caller.userId, appId: caller.appId, text, at });
    live.toUser(caller.userId, { op: 'event', t: 'draft.updated', chatId, d: { chatId, text, updatedAt: at.toISOString() } });
  });
  return { chatId, text, updatedAt: at.toISOString() };
}

export async function getDrafts(deps: MessageDeps, caller: Caller) {
  const rows = await listDrafts(deps.platform.db, caller.appId, caller.userId);
  return { data: rows.map((r) => ({ chatId: r.chatId, text: r.text, updatedAt: r.updatedAt.toISOString() })) };
}
