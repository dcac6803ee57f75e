import { CloseCode, EventEnvelope, authEvents, eventSubject } from '@chat/contracts';
import type { Subscription } from '@nats-io/transport-node';
import type { RealtimeDeps } from '../deps.js';
import type { Delivery } from '../primitives/delivery.js';
import type { LiveSocket } from '../primitives/live-socket.js';

/**
 * Closes the sockets of a revoked session on this node with 4001, after telling them why. A plain
 * core subscription (no queue group, no durable) so that every node sees every revocation.
 */
export function watchRevocations(deps: RealtimeDeps, sockets: Set<LiveSocket>, delivery: Delivery): Subscription {
  const { bus, logger } = deps;
  return bus.nc.subscribe(bus.prefix + eventSubject(authEvents.sessionRevoked), {
    callback: (err, msg) => {
      if (err) {
        logger.warn('revocation subscription failed', { err: err.message });
        return;
      }
      let body: unknown;
      try {
        body = msg.json();
      } catch {
        body = undefined;
      }
      const envelope = EventEnvelope.safeParse(body);
      const data = envelope.success ? authEvents.sessionRevoked.data.safeParse(envelope.data.data) : undefined;
      if (!data?.success) {
        logger.warn('invalid session revocation event');
        return;
      }
      const { userId, sessionId, reason } = data.data;
      // Sockets still authenticating are matched too (their session is known once the token checked out).
      for (const sock of sockets) {
        if (sock.sessionId !== sessionId || sock.userId !== userId) continue;
        delivery.frame(sock, { op: 'event', t: 'session.revoked', d: { sessionId, reason } });
        delivery.close(sock, CloseCode.unauthorized, 'session revoked');
      }
    },
  });
}
