import { messageEvents } from '@chat/contracts';
import { type RunningConsumer, consumeEventFamily } from '@chat/service-kit';
import type { SearchDeps } from '../deps.js';
import { indexCreated, indexDeleted, indexEdited, indexHidden } from '../domain/project-messages.js';
import { indexing } from './indexer.js';

/** One ordered consumer for the message family: an edit or delete is never applied before its create. */
export function consumeMessages(deps: SearchDeps): Promise<RunningConsumer> {
  return consumeEventFamily(deps.platform.bus, {
    durable: 'search-messages',
    filter: 'message.>',
    handlers: [
      indexing(deps, 'message', messageEvents.created, indexCreated),
      indexing(deps, 'message', messageEvents.edited, indexEdited),
      indexing(deps, 'message', messageEvents.deleted, (t, e) =>
        indexDeleted(t, { appId: e.appId, chatId: e.data.chatId, messageId: e.data.messageId, senderId: e.data.senderId, at: e.occurredAt }),
      ),
      indexing(deps, 'message', messageEvents.hidden, (t, e) => indexHidden(t, e.data)),
    ],
  });
}
