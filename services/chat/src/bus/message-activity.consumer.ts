import { Message, Uuid, defineEvent, messageEvents, z } from '@chat/contracts';
import { type RunningConsumer, consumeEventFamilyBatched } from '@chat/service-kit';
import type { ChatDeps } from '../deps.js';
import { noteActivities } from '../store/chats.store.js';

/** What this consumer reads of `message.created`: checked and parsed, the rest of the message is left alone. */
const messageCreated = defineEvent(
  messageEvents.created.type,
  z.object({ message: Message.pick({ chatId: true, createdAt: true }), visibleTo: Uuid.nullable() }),
);

/** Chat lists may show a new message's chat on top this much later; under load, one statement per interval. */
const ACTIVITY_INTERVAL_MS = 250;

/**
 * A new message makes its chat the most recently active one in every member's list. Events that
 * arrive together move each chat once, in one statement: one commit for a burst of sends rather
 * than one per message.
 */
export function consumeMessageActivity(deps: ChatDeps): Promise<RunningConsumer> {
  return consumeEventFamilyBatched(deps.platform.bus, {
    durable: 'chat-message-activity',
    filter: 'message.created',
    events: [messageCreated],
    minIntervalMs: ACTIVITY_INTERVAL_MS,
    handleBatch: async (events) => {
      const latest = new Map<string, Date>();
      for (const { data } of events as { data: z.infer<typeof messageCreated.data> }[]) {
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
