import type { AttachmentSummary, AvatarCheckRequest, AvatarClaimRequest } from '@chat/contracts';
import { AppError, NotFoundError } from '@chat/service-kit';
import type { MediaDeps } from '../deps.js';
import { clearAvatar, setAvatar } from '../store/avatars.store.js';
import { type MediaRow, findOwnMedia, lockReadyMediaOfOwner } from '../store/media.store.js';
import { toSummary } from './claim.js';
import { isInline } from './content-types.js';

/**
 * What may be shown as an avatar a user sets (their profile photo, a chat's picture): their own
 * ready media in the app (else not_found, naming nothing about other people's media), and a plain
 * image a browser shows inline uploaded as an avatar or an attachment (else unsupported_media_type).
 */
function checkAvatarRow(row: MediaRow | undefined): MediaRow {
  if (!row) throw new NotFoundError('media not found');
  if (row.purpose === 'story' || row.kind !== 'image' || !isInline(row.contentType)) {
    throw new AppError(415, 'unsupported_media_type', 'an avatar must be an image uploaded as an avatar or attachment');
  }
  return row;
}

/**
 * Makes a media the user's profile photo for the user service (null: no photo any more), under
 * the avatar rule. The photo before it stops being readable as one.
 */
export async function doClaimAvatar(deps: MediaDeps, req: AvatarClaimRequest): Promise<AttachmentSummary | null> {
  const { appId, userId, mediaId } = req;
  return deps.platform.tx(async (t) => {
    if (mediaId === null) {
      await clearAvatar(t, appId, userId);
      return null;
    }
    const [found] = await lockReadyMediaOfOwner(t, appId, userId, [mediaId]);
    const row = checkAvatarRow(found);
    await setAvatar(t, appId, userId, row.id);
    return toSummary(row);
  });
}

/** The avatar rule alone, for the chat service before it stores a chat's picture; records nothing. */
export async function checkAvatar(deps: MediaDeps, req: AvatarCheckRequest): Promise<AttachmentSummary> {
  const row = await findOwnMedia(deps.platform.db, req.appId, req.userId, req.mediaId);
  return toSummary(checkAvatarRow(row?.status === 'ready' ? row : undefined));
}
