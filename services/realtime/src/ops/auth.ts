import type { AccessClaims, ClientOp } from '@chat/contracts';
import { AppError, ForbiddenError, UnauthorizedError } from '@chat/service-kit';
import type { NodeContext } from '../context.js';
import type { LiveSocket } from '../primitives/live-socket.js';
import { expiryOf } from '../primitives/token-expiry.js';

/**
 * A ready socket renews its access token before it expires. The new token is verified like the one
 * it connected with and must belong to the same user and session; the socket then lives until the
 * new token's expiry. A refused token changes nothing: the socket keeps its current deadline.
 */
export async function renewToken(node: NodeContext, sock: LiveSocket, d: ClientOp<'auth'>['d']) {
  let claims: AccessClaims;
  try {
    claims = await node.deps.verifier.verify(d.token);
  } catch (err) {
    // Expired and revoked tokens are `unauthorized` here too: the socket's own token still holds.
    if (err instanceof AppError && err.status === 401) throw new UnauthorizedError(err.detail);
    throw err;
  }
  if (claims.sub !== sock.userId || claims.app !== sock.appId || claims.sid !== sock.sessionId) throw new ForbiddenError('token is for another session');
  sock.expiresAt = expiryOf(d.token);
  return sock.expiresAt > 0 ? { expiresAt: new Date(sock.expiresAt).toISOString() } : {};
}
