import type { ChatHead } from '@chat/contracts';
import type { MessageDeps } from '../deps.js';
import { listHeads } from '../store/heads.store.js';
import { unreadCounts } from '../store/members.store.js';
import type { Caller } from './caller.js';
import { toMessage } from './views.js';

/** What the chat list shows of each chat for one member: head seq, last message, unread counts. */
export async function getChatHeads(deps: MessageDeps, caller: Caller, chatIds: string[]): Promise<ChatHead[]> {
  const { db } = deps.platform;
  const [heads, counts] = await Promise.all([
    listHeads(db, caller.userId, chatIds),
    unreadCounts(db, { userId: caller.userId, chatIds, countSilent: deps.config.UNREAD_COUNTS_SILENT }),
  ]);
  return heads.map((h) => {
    const c = counts.find((x) => x.chatId === h.chatId);
    return {
      chatId: h.chatId,
      lastSeq: h.lastSeq,
      lastMessage: h.lastMessage && toMessage(h.lastMessage),
      unreadCount: c?.unreadCount ?? 0,
      mentionCount: c?.mentionCount ?? 0,
    };
  });
}
