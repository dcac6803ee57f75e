import type { ChatInfo } from '@chat/contracts';
import type { Executor } from '@chat/service-kit';
import { markChatDeleted, setTruncatedAt, upsertChat } from '../store/chats.store.js';
import { endChatMemberships, setMembership } from '../store/members.store.js';
import { deleteChatMessages } from '../store/messages.store.js';

export async function indexChat(t: Executor, appId: string, chat: ChatInfo, at: string): Promise<void> {
  await upsertChat(t, { chatId: chat.id, appId, type: chat.type, name: chat.name, description: chat.description, isPublic: chat.isPublic, at });
}

export async function indexChatCreated(t: Executor, appId: string, chat: ChatInfo, memberIds: string[], at: string): Promise<void> {
  await indexChat(t, appId, chat, at);
  await setMembership(t, { chatId: chat.id, appId, userIds: memberIds, active: true, at });
}

/** A deleted chat is never found again: its members, messages and hidden marks go. */
export async function indexChatDeleted(t: Executor, appId: string, chatId: string, at: string): Promise<void> {
  await markChatDeleted(t, { chatId, appId, at });
  await endChatMemberships(t, chatId, at);
  await deleteChatMessages(t, chatId);
}

export async function indexTruncated(t: Executor, appId: string, chatId: string, truncatedAt: string): Promise<void> {
  await setTruncatedAt(t, { chatId, appId, truncatedAt });
}

export async function indexMembership(t: Executor, appId: string, chatId: string, userId: string, active: boolean, at: string): Promise<void> {
  await setMembership(t, { chatId, appId, userIds: [userId], active, at });
}
