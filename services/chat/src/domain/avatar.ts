import { type AccessClaims, mediaRpcs } from '@chat/contracts';
import { AppError, ForbiddenError, ValidationError, callRpc } from '@chat/service-kit';
import type { ChatDeps } from '../deps.js';

/**
 * A chat's picture must be the caller's own ready image (the media service decides, by the same
 * rule as a profile photo): someone else's, another app's, unknown and unfinished media alike are
 * 403 `forbidden`, telling nothing about whether such a media exists; a media that is not a plain
 * image is 400 naming `avatarMediaId`. Null (no picture) needs no check.
 */
export async function checkChatAvatar(deps: ChatDeps, caller: AccessClaims, mediaId: string | null | undefined): Promise<void> {
  if (!mediaId) return;
  try {
    await callRpc(deps.platform.bus, mediaRpcs.checkAvatar, { appId: caller.app, userId: caller.sub, mediaId }, deps.config.RPC_TIMEOUT_MS);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    if (err.code === 'not_found') throw new ForbiddenError('the avatar must be an image you uploaded');
    if (err.code === 'unsupported_media_type') throw new ValidationError([{ path: 'avatarMediaId', message: 'must be an image' }]);
    throw err;
  }
}
