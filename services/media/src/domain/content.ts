import type { Readable } from 'node:stream';
import type { ContentQuery } from '@chat/contracts';
import { NotFoundError } from '@chat/service-kit';
import type { MediaDeps } from '../deps.js';
import { findMediaById } from '../store/media.store.js';
import { isInline } from './content-types.js';
import { checkContentSignature } from './urls.js';

export interface Content {
  status: 200 | 206;
  headers: Record<string, string>;
  body: Readable;
}

/**
 * Nothing served here may run: no scripts, no plugins, no forms, an opaque origin if a browser
 * renders it at all. Media elements and images of the same document stay allowed.
 */
const SANDBOX_CSP = "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox";

/** One `bytes=a-b`, `bytes=a-` or `bytes=-n` range within `size`; anything else is ignored (the whole file is sent). */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match || size === 0) return undefined;
  const [, from = '', to = ''] = match;
  if (from === '' && to === '') return undefined;
  const start = from === '' ? Math.max(0, size - Number(to)) : Number(from);
  const end = from === '' || to === '' ? size - 1 : Math.min(Number(to), size - 1);
  return start <= end && start < size ? { start, end } : undefined;
}

function contentDisposition(fileName: string, inline: boolean): string {
  const fallback = fileName.replace(/[^A-Za-z0-9._ -]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${inline ? 'inline' : 'attachment'}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/**
 * Opens the bytes a signed URL names. Any fault in the URL (tampered, expired, made for another
 * media or variant) and any media that is gone is the same 404: the URL is the only credential
 * and a refusal tells nothing about what exists. Only plain images, video and audio are inline.
 */
export async function openContent(deps: MediaDeps, mediaId: string, query: ContentQuery, rangeHeader: string | undefined): Promise<Content> {
  const now = new Date();
  if (!checkContentSignature(deps.config, mediaId, query, now)) throw new NotFoundError('media not found');
  const row = await findMediaById(deps.platform.db, mediaId);
  const thumb = query.variant === 'thumb';
  const key = thumb ? row?.thumbnailKey : row?.storageKey;
  if (!row || row.status !== 'ready' || !key) throw new NotFoundError('media not found');
  const stored = await deps.storage.stat(key);
  if (!stored) throw new NotFoundError('media not found');
  const contentType = thumb ? 'image/webp' : row.contentType;
  const inline = isInline(contentType);
  const range = parseRange(rangeHeader, stored.size);
  const maxAge = Math.max(0, Number(query.exp) - Math.floor(now.getTime() / 1000));
  const headers: Record<string, string> = {
    'content-type': contentType,
    'content-length': String(range ? range.end - range.start + 1 : stored.size),
    'content-disposition': contentDisposition(thumb ? 'thumbnail.webp' : row.fileName, inline),
    'x-content-type-options': 'nosniff',
    'content-security-policy': SANDBOX_CSP,
    'cross-origin-resource-policy': 'cross-origin',
    'cache-control': `private, max-age=${maxAge}`,
    'accept-ranges': 'bytes',
  };
  if (range) headers['content-range'] = `bytes ${range.start}-${range.end}/${stored.size}`;
  return { status: range ? 206 : 200, headers, body: await deps.storage.open(key, range) };
}
