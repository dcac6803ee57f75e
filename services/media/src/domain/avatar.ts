import type { AttachmentSummary, AvatarClaimRequest } from '@chat/contracts';
import { AppError, NotFoundError } from '@chat/service-kit';
import type { MediaDeps } from '../deps.js';
import { clearAvatar, setAvatar } from '../store/avatars.store.js';
import { lockReadyMediaOfOwner } from '../store/media.store.js';
import { toSummary } from './claim.js';
import { isInline } from './content-types.js';

/**
 * Makes a media the user's profile photo for the user service (null: no photo any more). It must
 * be the user's own ready media in the app (else not_found, naming nothing about other people's
 * media), and a plain image a browser shows inline uploaded as an avatar or an attachment (else
 * unsupported_media_type). The photo before it stops being readable as one.
 */
export async function doClaimAvatar(deps: MediaDeps, req: AvatarClaimRequest): Promise<AttachmentSummary | null> {
  const { appId, userId, mediaId } = req;
  return deps.platform.tx(async (t) => {
    if (mediaId === null) {
      await clearAvatar(t, appId, userId);
      return null;
    }
    const [row] = await lockReadyMediaOfOwner(t, appId, userId, [mediaId]);
    if (!row) throw new NotFoundError('media not found');
    if (row.purpose === 'story' || row.kind !== 'image' || !isInline(row.contentType)) {
      throw new AppError(415, 'unsupported_media_type', 'a profile photo must be an image uploaded as an avatar or attachment');
    }
    await setAvatar(t, appId, userId, row.id);
    return toSummary(row);
  });
}
