import type { AttachmentSummary, ClaimRequest } from '@chat/contracts';
import { NotFoundError } from '@chat/service-kit';
import type { MediaDeps } from '../deps.js';
import { insertAttachments } from '../store/attachments.store.js';
import { type MediaRow, lockReadyMediaOfOwner } from '../store/media.store.js';

export function toSummary(row: MediaRow): AttachmentSummary {
  const summary: AttachmentSummary = { id: row.id, kind: row.kind, contentType: row.contentType, size: row.size, fileName: row.fileName };
  if (row.width !== null && row.height !== null) Object.assign(summary, { width: row.width, height: row.height });
  if (row.durationMs !== null) summary.durationMs = row.durationMs;
  return summary;
}

/**
 * Attaches media to a message for the message service: every id must be the sender's own ready
 * media in the same app, else nothing is attached and the answer is not_found (naming no id, so
 * a sender learns nothing about other people's media). From then on deleting the media only
 * hides it from its owner's listing.
 */
export async function doClaimMedia(deps: MediaDeps, req: ClaimRequest): Promise<AttachmentSummary[]> {
  const ids = [...new Set(req.mediaIds)];
  return deps.platform.tx(async (t) => {
    const rows = await lockReadyMediaOfOwner(t, req.appId, req.userId, ids);
    if (rows.length !== ids.length) throw new NotFoundError('media not found');
    await insertAttachments(t, ids, { appId: req.appId, chatId: req.chatId, messageId: req.messageId });
    const byId = new Map(rows.map((row) => [row.id, row]));
    return req.mediaIds.map((id) => toSummary(byId.get(id)!));
  });
}
