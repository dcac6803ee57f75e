import { messageEvents, userEvents } from '@chat/contracts';
import { type RunningConsumer, consumeEvents } from '@chat/service-kit';
import type { MediaDeps } from '../deps.js';
import { doReleaseMessage, doRemoveAccountMedia } from '../domain/release.js';

/** A message deleted for everyone releases its attachments. */
export function consumeMessageDeletions(deps: MediaDeps): Promise<RunningConsumer> {
  return consumeEvents(deps.platform.bus, {
    durable: 'media-message-deletions',
    event: messageEvents.deleted,
    handler: (event) => doReleaseMessage(deps, event.appId, event.data.messageId),
  });
}

/** A deleted account's media are removed (kept, hidden from it, where messages still show them). */
export function consumeAccountDeletions(deps: MediaDeps): Promise<RunningConsumer> {
  return consumeEvents(deps.platform.bus, {
    durable: 'media-account-deletions',
    event: userEvents.accountDeleted,
    handler: (event) => doRemoveAccountMedia(deps, event.appId, event.data.userId),
  });
}
