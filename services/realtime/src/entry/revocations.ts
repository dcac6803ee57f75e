import { CloseCode, authEvents } from '@chat/contracts';
import { watchEvent } from '@chat/service-kit';
import type { Subscription } from '@nats-io/transport-node';
import type { RealtimeDeps } from '../deps.js';
import type { Delivery } from '../primitives/delivery.js';
import type { LiveSocket } from '../primitives/live-socket.js';

/** Closes the sockets of a revoked session on this node with 4001, after telling them why. Every node sees every revocation. */
export function watchRevocations(deps: RealtimeDeps, sockets: Set<LiveSocket>, delivery: Delivery): Subscription {
  return watchEvent(deps.bus, authEvents.sessionRevoked, ({ userId, sessionId, reason }) => {
    // Sockets still authenticating are matched too (their session is known once the token checked out).
    for (const sock of sockets) {
      if (sock.sessionId !== sessionId || sock.userId !== userId) continue;
      delivery.frame(sock, { op: 'event', t: 'session.revoked', d: { sessionId, reason } });
      delivery.close(sock, CloseCode.unauthorized, 'session revoked');
    }
  });
}
