import type { MediaRow } from '../store/media.store.js';

// Keys are made from ids only: nothing a client sends ever becomes part of a key.

/** Where the checked bytes of a media live. */
export function originalKey(appId: string, mediaId: string): string {
  return `${appId}/${mediaId}/original`;
}

/**
 * Where a presigned PUT writes. Completion copies it to the original and checks the copy, so
 * writing here again while the URL lasts never changes what was checked.
 */
export function stagingKey(row: Pick<MediaRow, 'id' | 'appId'>): string {
  return `${row.appId}/${row.id}/upload`;
}

/** Stored beside the original. */
export function thumbnailKey(appId: string, mediaId: string): string {
  return `${appId}/${mediaId}/thumb.webp`;
}

/** Every object a media may have, whether or not each was written. */
export function objectKeys(row: Pick<MediaRow, 'id' | 'appId' | 'storageKey'>): string[] {
  return [row.storageKey, stagingKey(row), thumbnailKey(row.appId, row.id)];
}
