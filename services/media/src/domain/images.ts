import { AppError } from '@chat/service-kit';
import sharp from 'sharp';
import type { MediaDeps } from '../deps.js';
import type { MediaRow } from '../store/media.store.js';
import { isThumbnailed } from './content-types.js';
import { thumbnailKey } from './object-keys.js';

export interface ImageFacts {
  width: number | null;
  height: number | null;
  thumbnailKey: string | null;
}

export const NO_IMAGE_FACTS: ImageFacts = { width: null, height: null, thumbnailKey: null };

/**
 * Reads an image's dimensions from its header and refuses one with more pixels than allowed
 * before anything is decoded (a small file can declare billions of pixels); then writes a WebP
 * thumbnail beside the original. Formats the bundled decoder cannot read, and files too large to
 * decode in memory, are kept without either.
 */
export async function analyseImage(deps: MediaDeps, row: MediaRow, contentType: string, size: number): Promise<ImageFacts> {
  const { config, storage } = deps;
  if (!isThumbnailed(contentType) || size > config.THUMBNAIL_MAX_SOURCE_BYTES) return NO_IMAGE_FACTS;
  const input = await storage.read(row.storageKey, 0, size);
  const limitInputPixels = config.IMAGE_MAX_PIXELS;
  const meta = await sharp(input, { limitInputPixels: false })
    .metadata()
    .catch(() => undefined);
  if (!meta?.width || !meta.height) throw new AppError(422, 'validation_failed', 'the image cannot be read');
  if (meta.width * meta.height > limitInputPixels) throw new AppError(413, 'payload_too_large', 'the image has too many pixels');
  const thumbnail = await sharp(input, { limitInputPixels, failOn: 'error' })
    .rotate()
    .resize(config.THUMBNAIL_SIZE, config.THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 75 })
    .toBuffer()
    .catch(() => {
      throw new AppError(422, 'validation_failed', 'the image cannot be decoded');
    });
  const key = thumbnailKey(row.appId, row.id);
  await storage.putBuffer(key, thumbnail, 'image/webp');
  return { width: meta.autoOrient.width, height: meta.autoOrient.height, thumbnailKey: key };
}
