import { chatEvents } from '@chat/contracts';
import { type RunningConsumer, consumeEventFamily, on } from '@chat/service-kit';
import type { MessageDeps } from '../deps.js';
import { addMembers, applyChatChange, removeChat, removeMember, truncate } from '../domain/chat-log.js';

/**
 * Turns the chat service's events into log entries (`member.joined`, `chat.updated`, …) and keeps
 * the member list the markers live on. One durable consumer, so they apply in the order the
 * chat service committed them.
 */
export function consumeChatEvents(deps: MessageDeps): Promise<RunningConsumer> {
  const apply = (
    e: { id: string; appId: string; occurredAt: string },
    chatId: string,
    rest: Omit<Parameters<typeof applyChatChange>[1], 'sourceId' | 'appId' | 'chatId' | 'occurredAt'>,
  ) => applyChatChange(deps, { sourceId: e.id, appId: e.appId, chatId, occurredAt: e.occurredAt, ...rest });
  return consumeEventFamily(deps.platform.bus, {
    durable: 'message-chat-log',
    filter: 'chat.>',
    handlers: [
      on(chatEvents.chatCreated, (e) =>
        apply(e, e.data.chat.id, {
          apply: addMembers(
            e.data.chat.id,
            e.appId,
            e.data.members.map((m) => m.userId),
          ),
        }),
      ),
      on(chatEvents.memberAdded, (e) =>
        apply(e, e.data.chatId, {
          apply: addMembers(e.data.chatId, e.appId, [e.data.userId]),
          entry: { type: 'member.joined', actorId: e.data.by, data: { userId: e.data.userId, role: e.data.role, via: e.data.via } },
        }),
      ),
      on(chatEvents.memberRemoved, (e) =>
        apply(e, e.data.chatId, {
          apply: removeMember(e.data.chatId, e.data.userId),
          entry: { type: 'member.removed', actorId: e.data.by, data: { userId: e.data.userId, reason: e.data.reason } },
        }),
      ),
      on(chatEvents.memberLeft, (e) =>
        apply(e, e.data.chatId, {
          apply: removeMember(e.data.chatId, e.data.userId),
          entry: { type: 'member.left', actorId: e.data.userId, data: { userId: e.data.userId, reason: e.data.reason, newOwnerId: e.data.newOwnerId } },
        }),
      ),
      on(chatEvents.memberRoleChanged, (e) =>
        apply(e, e.data.chatId, {
          entry: { type: 'member.role_changed', actorId: e.data.by, data: { userId: e.data.userId, role: e.data.role, previousRole: e.data.previousRole } },
        }),
      ),
      on(chatEvents.chatUpdated, (e) =>
        apply(e, e.data.chat.id, { entry: { type: 'chat.updated', actorId: e.data.by, data: { chat: e.data.chat, changed: e.data.changed } } }),
      ),
      on(chatEvents.chatFrozen, (e) => apply(e, e.data.chatId, { entry: { type: 'chat.frozen', actorId: e.data.by, data: {} } })),
      on(chatEvents.chatUnfrozen, (e) => apply(e, e.data.chatId, { entry: { type: 'chat.unfrozen', actorId: e.data.by, data: {} } })),
      on(chatEvents.chatTruncated, (e) =>
        apply(e, e.data.chatId, {
          apply: truncate(e.data.chatId, e.data.truncatedAt),
          entry: { type: 'chat.truncated', actorId: e.data.by, data: { truncatedAt: e.data.truncatedAt } },
        }),
      ),
      on(chatEvents.chatDeleted, (e) => apply(e, e.data.chatId, { apply: removeChat(e.data.chatId) })),
      on(chatEvents.memberBanned, (e) => apply(e, e.data.chatId, {})),
      on(chatEvents.memberUnbanned, (e) => apply(e, e.data.chatId, {})),
    ],
  });
}
