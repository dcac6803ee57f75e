import { type AccessClaims, CloseCode } from '@chat/contracts';
import { AppError } from '@chat/service-kit';
import { WebSocket } from 'ws';
import type { NodeContext } from '../context.js';
import { acquireConnection } from '../store/connections.store.js';
import { type LiveSocket, SocketState } from '../primitives/live-socket.js';
import { expiryOf } from '../primitives/token-expiry.js';

const stillOpen = (sock: LiveSocket) => sock.readyState === WebSocket.OPEN && sock.state !== SocketState.Closing;

/** How long a counted connection lives without a heartbeat renewing it. */
export const connectionTtlMs = (heartbeatMs: number) => heartbeatMs * 3;

/** What the socket server does as a socket gets through authentication. */
export interface AuthHooks {
  /** The token checked out: the socket is no longer an unauthenticated one. */
  verified(sock: LiveSocket): void;
  /** `ready` was sent. */
  ready(sock: LiveSocket): void;
}

/**
 * Token → claims → a slot in the user's connection count → the user's chat subscriptions → `ready`.
 * A socket that closes meanwhile is cleaned up by its close handler plus the checks after each step.
 */
export async function authenticate(node: NodeContext, sock: LiveSocket, token: string, hooks: AuthHooks): Promise<void> {
  const { deps, delivery, hub } = node;
  sock.state = SocketState.Authenticating;
  let claims: AccessClaims;
  try {
    claims = await deps.verifier.verify(token);
  } catch (err) {
    if (err instanceof AppError && err.status === 401)
      delivery.close(sock, CloseCode.unauthorized, err.code === 'token_expired' ? 'token expired' : 'unauthorized');
    else delivery.close(sock, CloseCode.tryAgainLater, 'try again later');
    return;
  }
  if (!stillOpen(sock)) return;
  hooks.verified(sock);
  sock.userId = claims.sub;
  sock.appId = claims.app;
  sock.sessionId = claims.sid;
  sock.expiresAt = expiryOf(token);
  try {
    sock.counted = true;
    const ref = { appId: sock.appId, userId: sock.userId, connectionId: sock.connectionId };
    const admitted = await acquireConnection(
      deps.redis,
      deps.keys,
      ref,
      deps.config.WS_MAX_CONNECTIONS_PER_USER,
      connectionTtlMs(deps.config.PRESENCE_HEARTBEAT_MS),
    );
    if (!admitted) {
      sock.counted = false;
      delivery.error(sock, undefined, 'rate_limited', `at most ${deps.config.WS_MAX_CONNECTIONS_PER_USER} connections per user`);
      delivery.close(sock, CloseCode.rateLimited, 'too many connections');
      return;
    }
    if (!stillOpen(sock)) return;
    await hub.users.join(sock);
  } catch (err) {
    deps.logger.warn('socket set-up failed', { err: err instanceof Error ? err.message : String(err) });
    delivery.close(sock, CloseCode.tryAgainLater, 'try again later');
    return;
  }
  // Closed while joining: the close handler ran before the socket was in its user's set.
  if (!stillOpen(sock)) {
    hub.users.leave(sock);
    return;
  }
  sock.state = SocketState.Ready;
  const heartbeatIntervalMs = deps.config.WS_HEARTBEAT_INTERVAL_MS;
  delivery.frame(sock, {
    op: 'ready',
    d: { connectionId: sock.connectionId, userId: sock.userId, sessionId: sock.sessionId, heartbeatIntervalMs, serverTime: new Date().toISOString() },
  });
  sock.announced = true;
  node.presence.connected(sock);
  hooks.ready(sock);
}
