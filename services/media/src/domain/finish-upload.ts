import { mediaEvents } from '@chat/contracts';
import { AppError, NotFoundError, recordEvent } from '@chat/service-kit';
import type { MediaDeps } from '../deps.js';
import { type MediaRow, type ReadyFacts, findMediaById, markReady } from '../store/media.store.js';
import { describe, isAllowed } from './content-types.js';
import { readDurationMs } from './duration.js';
import { NO_IMAGE_FACTS, analyseImage } from './images.js';
import { objectKeys } from './object-keys.js';
import { SNIFF_BYTES, sniffType } from './sniff.js';

/**
 * Checks the object stored for a pending media and makes it ready: the type is sniffed from its
 * first bytes (the client's claim is ignored from here on) and must be accepted for the media's
 * purpose; images get dimensions and a thumbnail, video and audio a duration where cheap. A
 * rejected object is removed with anything derived from it, and the error thrown.
 */
export async function finishUpload(deps: MediaDeps, row: MediaRow, size: number): Promise<MediaRow> {
  let facts: ReadyFacts;
  try {
    const head = await deps.storage.read(row.storageKey, 0, Math.min(size, SNIFF_BYTES));
    const { contentType, kind } = describe(await sniffType(head));
    if (!isAllowed(deps.config.MEDIA_ALLOWED_TYPES, contentType, row.purpose)) {
      throw new AppError(415, 'unsupported_media_type', `${contentType} is not accepted for ${row.purpose}`);
    }
    const image = kind === 'image' ? await analyseImage(deps, row, contentType, size) : NO_IMAGE_FACTS;
    const durationMs = await readDurationMs(deps, row.storageKey, kind, contentType, size);
    facts = { contentType, kind, size, durationMs, ...image };
  } catch (err) {
    await deps.storage.remove(objectKeys(row));
    throw err;
  }
  const ready = await deps.platform.tx(async (t) => {
    const updated = await markReady(t, row.id, facts);
    if (updated) {
      await recordEvent(t, mediaEvents.ready, updated.appId, {
        mediaId: updated.id,
        ownerId: updated.ownerId,
        purpose: updated.purpose,
        kind: updated.kind,
        contentType: updated.contentType,
        size: updated.size,
        ...(updated.width !== null && updated.height !== null ? { width: updated.width, height: updated.height } : {}),
        ...(updated.durationMs !== null ? { durationMs: updated.durationMs } : {}),
      });
    }
    return updated;
  });
  if (ready) return ready;
  // Not pending any more: completed by a concurrent request, or swept as expired.
  const current = await findMediaById(deps.platform.db, row.id);
  if (current?.status === 'ready' && current.hiddenAt === null) return current;
  throw new NotFoundError('media not found');
}

/**
 * A presigned upload must be what was declared: the byte count, and the Content-Type the PUT was
 * told to carry (presigned URLs cannot sign it, so it is held to it here). Checked on the copy
 * that completion took, never on the object the URL can still overwrite.
 */
export async function checkStoredObject(deps: MediaDeps, row: MediaRow): Promise<number> {
  const stored = await deps.storage.stat(row.storageKey);
  let problem: AppError;
  if (!stored) problem = new NotFoundError('media not found');
  else if (stored.size !== row.size) problem = new AppError(422, 'validation_failed', `uploaded ${stored.size} bytes, declared ${row.size}`);
  else if (stored.contentType?.split(';')[0]?.trim().toLowerCase() !== row.declaredType) {
    problem = new AppError(415, 'unsupported_media_type', `the upload must carry Content-Type ${row.declaredType}`);
  } else return stored.size;
  await deps.storage.remove(objectKeys(row));
  throw problem;
}
