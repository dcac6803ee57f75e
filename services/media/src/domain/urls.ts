import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ContentQuery, MediaVariant } from '@chat/contracts';
import type { MediaConfig } from '../config.js';

export interface SignedUrl {
  url: string;
  expiresAt: Date;
}

function signature(secret: string, mediaId: string, variant: MediaVariant, exp: number): string {
  return createHmac('sha256', secret).update(`${mediaId}\n${variant}\n${exp}`).digest('base64url');
}

/**
 * A download URL through the gateway whose signature is the credential: it names one media and
 * one variant and stops working at its expiry.
 */
export function signContentUrl(config: MediaConfig, mediaId: string, variant: MediaVariant, now = new Date()): SignedUrl {
  const exp = Math.floor(now.getTime() / 1000) + config.DOWNLOAD_URL_TTL_S;
  const url = new URL(`${config.PUBLIC_URL.replace(/\/+$/, '')}/api/v1/media/${mediaId}/content`);
  url.searchParams.set('variant', variant);
  url.searchParams.set('exp', String(exp));
  url.searchParams.set('sig', signature(config.MEDIA_URL_SECRET, mediaId, variant, exp));
  return { url: url.toString(), expiresAt: new Date(exp * 1000) };
}

/**
 * How much later than this node's `now + DOWNLOAD_URL_TTL_S` an expiry may lie: another replica's
 * clock may run a little ahead of ours.
 */
export const CLOCK_SKEW_S = 60;

/**
 * Whether a content request carries a valid signature for this media and variant, with an expiry
 * that has not passed and lies no further ahead than a URL we mint lives: a URL signed for longer
 * (with a leaked or an old secret, or by a bug) never becomes a link that does not expire.
 */
export function checkContentSignature(config: MediaConfig, mediaId: string, query: ContentQuery, now = new Date()): boolean {
  const exp = Number(query.exp);
  const nowS = now.getTime() / 1000;
  if (!Number.isSafeInteger(exp) || exp <= nowS || exp > nowS + config.DOWNLOAD_URL_TTL_S + CLOCK_SKEW_S) return false;
  const expected = Buffer.from(signature(config.MEDIA_URL_SECRET, mediaId, query.variant, exp));
  const given = Buffer.from(query.sig);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
