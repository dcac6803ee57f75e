import { expect } from 'vitest';
import type { ApiResponse } from './client.js';

/** Percent-encodes a fuzzed value, sending a lone surrogate as the invalid UTF-8 bytes it would be. */
export function encodeFuzzed(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return '%ED%A0%80';
  }
}

/** A fuzzed request may be refused, never crash: no 5xx, and every error is problem+json. */
export function expectNoServerError(res: ApiResponse): void {
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
  if (res.status >= 400) expect(res.headers.get('content-type')).toContain('application/problem+json');
}
