import { messageEvents } from '@chat/contracts';
import { type RunningConsumer, consumeEvents } from '@chat/service-kit';
import type { ChatDeps } from '../deps.js';
import { noteActivity } from '../store/chats.store.js';

/** A new message makes its chat the most recently active one in every member's list. */
export function consumeMessageActivity(deps: ChatDeps): Promise<RunningConsumer> {
  return consumeEvents(deps.platform.bus, {
    durable: 'chat-message-activity',
    event: messageEvents.created,
    handler: async ({ data }) => {
      // A shadow-banned sender's message is seen by nobody else: it moves no one's list.
      if (data.visibleTo) return;
      await noteActivity(deps.platform.db, data.message.chatId, new Date(data.message.createdAt));
    },
  });
}
