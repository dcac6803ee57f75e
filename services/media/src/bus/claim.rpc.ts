import { mediaRpcs } from '@chat/contracts';
import { serveRpc } from '@chat/service-kit';
import type { MediaDeps } from '../deps.js';
import { checkAvatar, doClaimAvatar } from '../domain/avatar.js';
import { doClaimMedia } from '../domain/claim.js';

/** The message service checks and attaches a sender's media here before it stores a message. */
export function serveClaim(deps: MediaDeps) {
  return serveRpc(deps.platform.bus, mediaRpcs.claim, async (req) => ({ media: await doClaimMedia(deps, req) }));
}

/** The user service checks and records a profile photo here before it stores it on the profile. */
export function serveClaimAvatar(deps: MediaDeps) {
  return serveRpc(deps.platform.bus, mediaRpcs.claimAvatar, async (req) => ({ media: await doClaimAvatar(deps, req) }));
}

/** The chat service checks a chat's picture here before it stores it on the chat. */
export function serveCheckAvatar(deps: MediaDeps) {
  return serveRpc(deps.platform.bus, mediaRpcs.checkAvatar, async (req) => ({ media: await checkAvatar(deps, req) }));
}
