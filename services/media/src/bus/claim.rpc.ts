import { mediaRpcs } from '@chat/contracts';
import { serveRpc } from '@chat/service-kit';
import type { MediaDeps } from '../deps.js';
import { doClaimMedia } from '../domain/claim.js';

/** The message service checks and attaches a sender's media here before it stores a message. */
export function serveClaim(deps: MediaDeps) {
  return serveRpc(deps.platform.bus, mediaRpcs.claim, async (req) => ({ media: await doClaimMedia(deps, req) }));
}
