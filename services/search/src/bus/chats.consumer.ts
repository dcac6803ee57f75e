import { chatEvents } from '@chat/contracts';
import { type RunningConsumer, consumeEventFamily } from '@chat/service-kit';
import type { SearchDeps } from '../deps.js';
import { indexChat, indexChatCreated, indexChatDeleted, indexMembership, indexTruncated } from '../domain/project-chats.js';
import { indexing } from './indexer.js';

/** Chats' searchable info, membership (who may find what) and truncation, in stream order. */
export function consumeChats(deps: SearchDeps): Promise<RunningConsumer> {
  return consumeEventFamily(deps.platform.bus, {
    durable: 'search-chats',
    filter: 'chat.>',
    handlers: [
      indexing(deps, 'chat', chatEvents.chatCreated, (t, e) => indexChatCreated(t, e.appId, e.data.chat, e.data.members.map((m) => m.userId), e.occurredAt)),
      indexing(deps, 'chat', chatEvents.chatUpdated, (t, e) => indexChat(t, e.appId, e.data.chat, e.occurredAt)),
      indexing(deps, 'chat', chatEvents.chatDeleted, (t, e) => indexChatDeleted(t, e.appId, e.data.chatId, e.occurredAt)),
      indexing(deps, 'chat', chatEvents.chatTruncated, (t, e) => indexTruncated(t, e.appId, e.data.chatId, e.data.truncatedAt)),
      indexing(deps, 'chat', chatEvents.memberAdded, (t, e) => indexMembership(t, e.appId, e.data.chatId, e.data.userId, true, e.occurredAt)),
      indexing(deps, 'chat', chatEvents.memberRemoved, (t, e) => indexMembership(t, e.appId, e.data.chatId, e.data.userId, false, e.occurredAt)),
      indexing(deps, 'chat', chatEvents.memberLeft, (t, e) => indexMembership(t, e.appId, e.data.chatId, e.data.userId, false, e.occurredAt)),
    ],
  });
}
