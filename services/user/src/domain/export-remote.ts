import { type Message, chatRpcs, messageRpcs } from '@chat/contracts';
import { callRpc } from '@chat/service-kit';
import type { UserDeps } from '../deps.js';

/** Most messages one export carries (a page of 1000 at a time). */
const EXPORT_MESSAGES_MAX = 100_000;

/** The user's chats and sent messages, asked of the services that own them. */
export async function exportChatsAndMessages(deps: UserDeps, appId: string, userId: string): Promise<{ chats: { chatId: string }[]; messages: Message[] }> {
  const { bus } = deps.platform;
  const timeout = deps.config.RPC_TIMEOUT_MS;
  const chats: { chatId: string }[] = [];
  for (let after: string | undefined; ; ) {
    const page = await callRpc(bus, chatRpcs.userChats, { appId, userId, after, limit: 10_000 }, timeout);
    chats.push(...page.chatIds.map((chatId) => ({ chatId })));
    if (!page.nextAfter) break;
    after = page.nextAfter;
  }
  const messages: Message[] = [];
  for (let after: string | undefined; messages.length < EXPORT_MESSAGES_MAX; ) {
    const page = await callRpc(bus, messageRpcs.userMessages, { appId, userId, after, limit: 1000 }, timeout);
    messages.push(...page.messages);
    if (!page.nextAfter) break;
    after = page.nextAfter;
  }
  return { chats, messages };
}
