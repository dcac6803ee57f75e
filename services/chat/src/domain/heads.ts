import { type AccessClaims, type Chat, messageRpcs } from '@chat/contracts';
import { callRpc } from '@chat/service-kit';
import type { ChatDeps } from '../deps.js';

/**
 * Fills in each chat's last message, head seq and unread count from the message service, in one
 * rpc per page. When it cannot answer, the chats are still listed, with those fields empty.
 */
export async function withHeads(deps: ChatDeps, caller: AccessClaims, chats: Chat[]): Promise<Chat[]> {
  if (chats.length === 0) return chats;
  try {
    const { heads } = await callRpc(
      deps.platform.bus,
      messageRpcs.chatHeads,
      { appId: caller.app, userId: caller.sub, chatIds: chats.map((c) => c.id) },
      deps.config.RPC_TIMEOUT_MS,
    );
    const byId = new Map(heads.map((h) => [h.chatId, h]));
    return chats.map((chat) => {
      const head = byId.get(chat.id);
      return head ? { ...chat, lastMessage: head.lastMessage, lastSeq: head.lastSeq, unreadCount: head.unreadCount } : chat;
    });
  } catch (err) {
    deps.platform.logger.warn('chat heads unavailable', { err: err instanceof Error ? err.message : String(err) });
    return chats;
  }
}
