import { authRpcs } from '@chat/contracts';
import { type Bus, serveRpc } from '@chat/service-kit';
import { type SigningKey, jwksOf } from '../signing-key.js';

/** Other services fetch the public keys here to verify access tokens themselves. */
export function serveJwks(bus: Bus, key: SigningKey) {
  const jwks = jwksOf(key);
  return serveRpc(bus, authRpcs.jwks, async () => jwks);
}
