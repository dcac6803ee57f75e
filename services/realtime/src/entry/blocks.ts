import { userEvents } from '@chat/contracts';
import { watchEvent } from '@chat/service-kit';
import type { Subscription } from '@nats-io/transport-node';
import type { RealtimeDeps } from '../deps.js';
import type { Hub } from '../hub/hub.js';

/**
 * Ends presence watches between two users the moment one blocks the other. Every node sees every
 * block; a node that was away holds no watch from before (its sockets reconnect and subscribe
 * again, which the presence service answers with the block applied).
 */
export function watchBlocks(deps: RealtimeDeps, hub: Hub): Subscription {
  return watchEvent(deps.bus, userEvents.blockAdded, (data, appId) => hub.severPresence(appId, data.userId, data.blockedUserId));
}
