import type { MediaKind, MediaPurpose } from '@chat/contracts';

/** Plain media a browser may render in place: no scripts, no markup, no external references. */
const INLINE_TYPES = new Set([
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'image/avif',
  'video/mp4',
  'video/webm',
  'video/quicktime',
  'audio/mpeg',
  'audio/ogg',
  'audio/mp4',
  'audio/x-m4a',
  'audio/aac',
  'audio/wav',
  'audio/webm',
  'audio/flac',
]);

/** Raster formats: kind `image`. */
const RASTER_IMAGES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif', 'image/bmp', 'image/tiff', 'image/heic', 'image/heif']);

/** Decoded for dimensions and a thumbnail (formats the bundled libvips reads). */
const THUMBNAILED = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif', 'image/tiff']);

/** Kind `document`; an entry ending in `/` or `.` covers every type it starts. */
const DOCUMENT_TYPES = [
  'text/',
  'application/pdf',
  'application/rtf',
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.',
  'application/vnd.oasis.opendocument.',
  'application/epub+zip',
  'application/json',
  'application/xml',
  'image/svg+xml',
];

/** What each purpose accepts beyond the configured allow-list. */
const PURPOSE_TYPES: Record<MediaPurpose, (type: string) => boolean> = {
  attachment: () => true,
  avatar: (type) => type.startsWith('image/') && INLINE_TYPES.has(type),
  story: (type) => (type.startsWith('image/') || type.startsWith('video/')) && INLINE_TYPES.has(type),
};

export interface Described {
  /** The MIME type without parameters. */
  contentType: string;
  kind: MediaKind;
}

/** Kind and bare type of a (sniffed) MIME type; Opus and AMR audio are voice recordings. */
export function describe(mime: string): Described {
  const [essence = '', ...params] = mime
    .toLowerCase()
    .split(';')
    .map((p) => p.trim());
  const voice = essence === 'audio/amr' || essence === 'audio/opus' || params.includes('codecs=opus');
  return { contentType: essence, kind: kindOf(essence, voice) };
}

function kindOf(type: string, voice: boolean): MediaKind {
  if (RASTER_IMAGES.has(type)) return 'image';
  if (type.startsWith('video/')) return 'video';
  if (type.startsWith('audio/')) return voice ? 'voice' : 'audio';
  if (DOCUMENT_TYPES.some((entry) => (entry.endsWith('/') || entry.endsWith('.') ? type.startsWith(entry) : type === entry))) return 'document';
  return 'other';
}

function matches(pattern: string, type: string): boolean {
  return pattern.endsWith('*') ? type.startsWith(pattern.slice(0, -1)) : pattern === type;
}

/** Whether `type` may be stored for `purpose` under the allow-list `allowed` (`type/*` patterns). */
export function isAllowed(allowed: string[], type: string, purpose: MediaPurpose): boolean {
  return allowed.some((pattern) => matches(pattern, type)) && PURPOSE_TYPES[purpose](type);
}

/** Only plain images, video and audio are ever served inline; everything else is a download. */
export function isInline(type: string): boolean {
  return INLINE_TYPES.has(type);
}

export function isThumbnailed(type: string): boolean {
  return THUMBNAILED.has(type);
}
