import { messageEvents } from '@chat/contracts';
import type { RunningConsumer } from '@chat/service-kit';
import type { SearchDeps } from '../deps.js';
import { indexCreated, indexCreatedMany, indexDeleted, indexEdited, indexHidden } from '../domain/project-messages.js';
import { consumeIntoIndex, project } from './indexer.js';

/** One ordered consumer for the message family: an edit or delete is never applied before its create. */
export function consumeMessages(deps: SearchDeps): Promise<RunningConsumer> {
  return consumeIntoIndex(deps, {
    durable: 'search-messages',
    filter: 'message.>',
    source: 'message',
    projections: [
      project(messageEvents.created, indexCreated, indexCreatedMany),
      project(messageEvents.edited, indexEdited),
      project(messageEvents.deleted, (t, e) =>
        indexDeleted(t, { appId: e.appId, chatId: e.data.chatId, messageId: e.data.messageId, senderId: e.data.senderId, at: e.occurredAt }),
      ),
      project(messageEvents.hidden, (t, e) => indexHidden(t, e.data)),
    ],
  });
}
