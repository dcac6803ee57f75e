const SNIPPET_CHARS = 160;
const ELLIPSIS = '…';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Ranges of `text` that match any term, case-insensitively, merged and in order. */
export function matchRanges(text: string, terms: string[]): [number, number][] {
  const ranges: [number, number][] = [];
  for (const term of terms) {
    if (!term) continue;
    for (const m of text.matchAll(new RegExp(escapeRegExp(term), 'giu'))) ranges.push([m.index, m.index + m[0].length]);
  }
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const last = merged.at(-1);
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([...r]);
  }
  return merged;
}

/** Moves an index off the second half of a surrogate pair, so a cut never splits a character. */
const safeIndex = (text: string, i: number) => (i > 0 && i < text.length && /[\udc00-\udfff]/.test(text[i]!) ? i - 1 : i);

/**
 * About `SNIPPET_CHARS` characters of `text` around its first match, HTML-escaped, each match in
 * `<mark>…</mark>`; the start of the text when nothing matches as a substring (e.g. an `OR` query).
 */
export function snippetOf(text: string, terms: string[]): string {
  const ranges = matchRanges(text, terms);
  const first = ranges[0]?.[0] ?? 0;
  let start = safeIndex(text, Math.max(0, first - SNIPPET_CHARS / 4));
  if (start > 0) {
    const space = text.lastIndexOf(' ', first);
    if (space >= start) start = space + 1;
  }
  const end = safeIndex(text, Math.min(text.length, start + SNIPPET_CHARS));
  let out = start > 0 ? ELLIPSIS : '';
  let at = start;
  for (const [a, b] of ranges) {
    if (b <= start || a >= end) continue;
    const from = Math.max(a, start);
    const to = Math.min(b, end);
    out += `${escapeHtml(text.slice(at, from))}<mark>${escapeHtml(text.slice(from, to))}</mark>`;
    at = to;
  }
  out += escapeHtml(text.slice(at, end));
  return end < text.length ? out + ELLIPSIS : out;
}
