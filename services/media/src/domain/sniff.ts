import { fileTypeFromBuffer } from 'file-type';

/** How much of an object's start is read to tell its type. */
export const SNIFF_BYTES = 64 * 1024;

/** Decodes `head` as UTF-8, allowing a character cut off at its end; undefined when it is not text. */
function asText(head: Buffer): string | undefined {
  if (head.includes(0)) return undefined;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (let cut = 0; cut < 4 && cut < head.length; cut++) {
    try {
      return decoder.decode(head.subarray(0, head.length - cut));
    } catch {
      // maybe a multi-byte character cut at the end: try a byte shorter
    }
  }
  return undefined;
}

/**
 * Text formats have no magic number: anything that opens with markup is taken as HTML (what a
 * browser would sniff it as), unless it is SVG or another XML document.
 */
function sniffText(head: Buffer): string | undefined {
  const text = asText(head);
  if (text === undefined) return undefined;
  const start = text
    .replace(/^\uFEFF/, '')
    .trimStart()
    .slice(0, 1024)
    .toLowerCase();
  if (!start.startsWith('<')) return 'text/plain';
  if (/<svg[\s>]/.test(start)) return 'image/svg+xml';
  if (start.startsWith('<?xml') && !/<(!doctype html|html)[\s>]/.test(start)) return 'application/xml';
  return 'text/html';
}

/** The real type of a file from its first bytes (see SNIFF_BYTES), whatever its name or claimed type. */
export async function sniffType(head: Buffer): Promise<string> {
  const detected = await fileTypeFromBuffer(head);
  if (detected?.mime === 'application/xml') return sniffText(head) ?? detected.mime;
  if (detected) return detected.mime;
  return sniffText(head) ?? 'application/octet-stream';
}
