import { EventEnvelope, eventSubject, userEvents } from '@chat/contracts';
import type { Subscription } from '@nats-io/transport-node';
import type { RealtimeDeps } from '../deps.js';
import type { Hub } from '../hub/hub.js';

/**
 * Ends presence watches between two users the moment one blocks the other. A plain core
 * subscription (no queue group, no durable), like revocations: every node sees every block, and a
 * node that was away holds no watch from before (its sockets reconnect and subscribe again, which
 * the presence service answers with the block applied).
 */
export function watchBlocks(deps: RealtimeDeps, hub: Hub): Subscription {
  const { bus, logger } = deps;
  return bus.nc.subscribe(bus.prefix + eventSubject(userEvents.blockAdded), {
    callback: (err, msg) => {
      if (err) {
        logger.warn('block subscription failed', { err: err.message });
        return;
      }
      let body: unknown;
      try {
        body = msg.json();
      } catch {
        body = undefined;
      }
      const envelope = EventEnvelope.safeParse(body);
      const data = envelope.success ? userEvents.blockAdded.data.safeParse(envelope.data.data) : undefined;
      if (!envelope.success || !data?.success) {
        logger.warn('invalid block event');
        return;
      }
      hub.severPresence(envelope.data.appId, data.data.userId, data.data.blockedUserId);
    },
  });
}
