import { type EventData, messageEvents } from '@chat/contracts';
import { type RunningConsumer, consumeEventFamilyBatched } from '@chat/service-kit';
import type { ChatDeps } from '../deps.js';
import { noteActivities } from '../store/chats.store.js';

/**
 * A new message makes its chat the most recently active one in every member's list. Events that
 * arrive together move each chat once, in one statement: one commit for a burst of sends rather
 * than one per message.
 */
export function consumeMessageActivity(deps: ChatDeps): Promise<RunningConsumer> {
  return consumeEventFamilyBatched(deps.platform.bus, {
    durable: 'chat-message-activity',
    filter: 'message.created',
    events: [messageEvents.created],
    handleBatch: async (events) => {
      const latest = new Map<string, Date>();
      for (const { data } of events as { data: EventData<typeof messageEvents.created> }[]) {
        // A shadow-banned sender's message is seen by nobody else: it moves no one's list.
        if (data.visibleTo) continue;
        const at = new Date(data.message.createdAt);
        const seen = latest.get(data.message.chatId);
        if (!seen || seen < at) latest.set(data.message.chatId, at);
      }
      await noteActivities(deps.platform.db, latest);
    },
  });
}
