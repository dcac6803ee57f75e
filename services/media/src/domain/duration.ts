import type { MediaKind } from '@chat/contracts';
import { parseStream } from 'music-metadata';
import type { MediaDeps } from '../deps.js';

const TIMED_KINDS: ReadonlySet<MediaKind> = new Set(['video', 'audio', 'voice']);

/**
 * The length of a video or audio file in milliseconds, read from at most DURATION_SCAN_BYTES of
 * its start: enough for containers that say it in their header (WAV, Ogg, FLAC, MP4 with its
 * index first, ...). The parser is told the whole file's size, so formats that derive it from the
 * size need no more. Anything it cannot tell that cheaply, or cannot parse, has no duration.
 */
export async function readDurationMs(deps: MediaDeps, key: string, kind: MediaKind, contentType: string, size: number): Promise<number | null> {
  if (!TIMED_KINDS.has(kind) || size === 0) return null;
  const stream = await deps.storage.open(key, { start: 0, end: Math.min(size, deps.config.DURATION_SCAN_BYTES) - 1 });
  try {
    const { format } = await parseStream(stream, { mimeType: contentType, size }, { duration: false, skipCovers: true, skipPostHeaders: true });
    const seconds = format.duration;
    return seconds !== undefined && Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : null;
  } catch {
    return null;
  } finally {
    stream.destroy();
  }
}
