import { type AccessClaims, type Media, mediaEvents } from '@chat/contracts';
import { NotFoundError, ValidationError, recordEvent } from '@chat/service-kit';
import type { MediaConfig } from '../config.js';
import type { MediaDeps } from '../deps.js';
import { isAttached } from '../store/attachments.store.js';
import { dropAvatarUses } from '../store/avatars.store.js';
import { type MediaRow, deleteMediaRows, hideMedia, listOwnReadyMedia, lockOwnMedia } from '../store/media.store.js';
import { accessMedia } from './access.js';
import { objectKeys } from './object-keys.js';
import { signContentUrl } from './urls.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The API view of a row; ready media get freshly signed URLs. */
export function toMedia(config: MediaConfig, row: MediaRow, now = new Date()): Media {
  const media: Media = {
    id: row.id,
    ownerId: row.ownerId,
    fileName: row.fileName,
    contentType: row.contentType,
    size: row.size,
    kind: row.kind,
    purpose: row.purpose,
    status: row.status,
    createdAt: row.createdAt.toISOString(),
  };
  if (row.width !== null && row.height !== null) Object.assign(media, { width: row.width, height: row.height });
  if (row.durationMs !== null) media.durationMs = row.durationMs;
  if (row.status === 'ready') {
    const original = signContentUrl(config, row.id, 'original', now);
    media.url = original.url;
    media.urlExpiresAt = original.expiresAt.toISOString();
    if (row.thumbnailKey) media.thumbnailUrl = signContentUrl(config, row.id, 'thumb', now).url;
  }
  return media;
}

export async function getMedia(deps: MediaDeps, caller: AccessClaims, id: string): Promise<Media> {
  return toMedia(deps.config, await accessMedia(deps, caller, id));
}

export async function listMedia(deps: MediaDeps, caller: AccessClaims, cursor: string | undefined, limit = 20) {
  if (cursor !== undefined && !UUID.test(cursor)) throw new ValidationError([{ path: 'query.cursor', message: 'unknown cursor' }]);
  const rows = await listOwnReadyMedia(deps.platform.db, caller.app, caller.sub, cursor ?? null, limit + 1);
  const page = rows.slice(0, limit);
  const hasMore = rows.length > limit;
  return { data: page.map((row) => toMedia(deps.config, row)), page: { nextCursor: hasMore ? page[page.length - 1]!.id : null, hasMore } };
}

/**
 * Deletes the owner's media. It stops being their profile photo at once. Media shown in a message
 * stays for that message's readers and only leaves the owner's listing; otherwise its objects go too (inside the transaction, so a store
 * failure leaves the row in place to try again).
 */
export async function doDeleteMedia(deps: MediaDeps, caller: AccessClaims, id: string): Promise<void> {
  await deps.platform.tx(async (t) => {
    const row = await lockOwnMedia(t, caller.app, caller.sub, id);
    if (!row) throw new NotFoundError('media not found');
    const attached = await isAttached(t, row.id);
    if (attached) {
      await hideMedia(t, [row.id]);
      await dropAvatarUses(t, row.id);
    } else await deleteMediaRows(t, [row.id]);
    await recordEvent(t, mediaEvents.deleted, row.appId, { mediaId: row.id, ownerId: row.ownerId, objectRemoved: !attached });
    if (!attached) await deps.storage.remove(objectKeys(row));
  });
}
