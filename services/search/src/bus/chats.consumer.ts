import { chatEvents } from '@chat/contracts';
import type { RunningConsumer } from '@chat/service-kit';
import type { SearchDeps } from '../deps.js';
import { indexChat, indexChatCreated, indexChatDeleted, indexMembership, indexTruncated } from '../domain/project-chats.js';
import { consumeIntoIndex, project } from './indexer.js';

/** Chats' searchable info, membership (who may find what) and truncation, in stream order. */
export function consumeChats(deps: SearchDeps): Promise<RunningConsumer> {
  return consumeIntoIndex(deps, {
    durable: 'search-chats',
    filter: 'chat.>',
    source: 'chat',
    projections: [
      project(chatEvents.chatCreated, (t, e) =>
        indexChatCreated(
          t,
          e.appId,
          e.data.chat,
          e.data.members.map((m) => m.userId),
          e.occurredAt,
        ),
      ),
      project(chatEvents.chatUpdated, (t, e) => indexChat(t, e.appId, e.data.chat, e.occurredAt)),
      project(chatEvents.chatDeleted, (t, e) => indexChatDeleted(t, e.appId, e.data.chatId, e.occurredAt)),
      project(chatEvents.chatTruncated, (t, e) => indexTruncated(t, e.appId, e.data.chatId, e.data.truncatedAt)),
      project(chatEvents.memberAdded, (t, e) => indexMembership(t, e.appId, e.data.chatId, e.data.userId, true, e.occurredAt)),
      project(chatEvents.memberRemoved, (t, e) => indexMembership(t, e.appId, e.data.chatId, e.data.userId, false, e.occurredAt)),
      project(chatEvents.memberLeft, (t, e) => indexMembership(t, e.appId, e.data.chatId, e.data.userId, false, e.occurredAt)),
    ],
  });
}
