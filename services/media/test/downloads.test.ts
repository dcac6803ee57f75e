import { createHmac } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestUser, registerUser } from '@chat/testkit';
import { MP3, MP4, OPUS, PDF, SVG, TEXT, BINARY, jpeg, png } from './fixtures.js';
import { expectProblem, fetchUrl, getMedia, uploadDirect } from './helpers.js';
import { type MediaStack, startMediaStack } from './stack.js';

const URL_SECRET = 'media-url-secret-for-the-download-tests-0001';

let stack: MediaStack;
let user: TestUser;
beforeAll(async () => {
  stack = await startMediaStack({ RATE_LIMIT_UPLOAD_PER_MINUTE: '1000', MEDIA_URL_SECRET: URL_SECRET, DOWNLOAD_URL_TTL_S: '120' });
  user = await registerUser(stack.api);
});
afterAll(() => stack?.stop());

/** Signs a content URL the way the service does: what someone holding the secret could mint. */
function signedPath(mediaId: string, variant: string, exp: number): string {
  const sig = createHmac('sha256', URL_SECRET).update(`${mediaId}\n${variant}\n${exp}`).digest('base64url');
  return `/api/v1/media/${mediaId}/content?variant=${variant}&exp=${exp}&sig=${sig}`;
}

describe('GET /media/:id', () => {
  it('when the owner reads a ready media, then URLs that expire within the configured time', async () => {
    const up = await uploadDirect(stack, user, await png(), { fileName: 'p.png', contentType: 'image/png' });
    const res = await getMedia(stack, user, up.body.id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: up.body.id, status: 'ready', url: expect.any(String), thumbnailUrl: expect.any(String) });
    const exp = Number(new URL(res.body.url).searchParams.get('exp'));
    expect(exp * 1000 - Date.now()).toBeLessThanOrEqual(120_000);
    expect(exp * 1000 - Date.now()).toBeGreaterThan(100_000);
    expect(new Date(res.body.urlExpiresAt).getTime()).toBe(exp * 1000);
  });
});

describe('GET /media/:id/content', () => {
  it('when a plain image is fetched, then its bytes inline with nosniff and a sandboxing CSP', async () => {
    const bytes = await png();
    const up = await uploadDirect(stack, user, bytes, { fileName: 'p.png', contentType: 'image/png' });
    const res = await fetchUrl(stack, up.body.url);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('content-length')).toBe(String(bytes.length));
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-disposition')).toMatch(/^inline; filename="p.png"/);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'.*sandbox/);
    expect(res.headers.get('cache-control')).toMatch(/^private, max-age=\d+$/);
  });

  it('when the thumbnail is fetched, then a WebP no larger than the thumbnail size, aspect kept', async () => {
    const up = await uploadDirect(stack, user, await jpeg(1200, 600), { contentType: 'image/jpeg' });
    const res = await fetchUrl(stack, up.body.thumbnailUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/webp');
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    expect({ format: meta.format, width: meta.width, height: meta.height }).toEqual({ format: 'webp', width: 320, height: 160 });
  });

  it('when a range is asked for, then 206 with just those bytes', async () => {
    const up = await uploadDirect(stack, user, MP4, { contentType: 'video/mp4' });
    const res = await fetchUrl(stack, up.body.url, { headers: { range: 'bytes=4-11' } });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes 4-11/${MP4.length}`);
    expect(Buffer.from(await res.arrayBuffer()).toString('latin1')).toBe('ftypmp42');
  });

  it.each([
    ['a PDF', PDF, 'application/pdf', 'document', 'application/pdf'],
    ['plain text', TEXT, 'text/plain', 'document', 'text/plain'],
    ['an SVG with a script', SVG, 'image/svg+xml', 'document', 'image/svg+xml'],
    ['an unknown binary', BINARY, 'application/octet-stream', 'other', 'application/octet-stream'],
  ])('when %s is fetched, then it is an attachment download, never inline', async (_what, bytes, declared, kind, served) => {
    const up = await uploadDirect(stack, user, bytes, { fileName: 'f', contentType: declared });
    expect(up.status).toBe(201);
    expect(up.body.kind).toBe(kind);
    const res = await fetchUrl(stack, up.body.url);
    expect(res.headers.get('content-type')?.split(';')[0]).toBe(served);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
  });

  it.each([
    ['video', MP4, 'video/mp4', 'video/mp4'],
    ['audio', MP3, 'audio/mpeg', 'audio/mpeg'],
    ['voice', OPUS, 'audio/ogg', 'audio/ogg'],
  ])('when the sniffed type is %s, then that kind, served inline', async (kind, bytes, declared, served) => {
    const up = await uploadDirect(stack, user, bytes, { contentType: declared });
    expect(up.body).toMatchObject({ kind, contentType: served });
    expect((await fetchUrl(stack, up.body.url)).headers.get('content-disposition')).toMatch(/^inline;/);
  });

  it('when a file name has characters beyond ASCII or quotes, then the disposition header stays well-formed', async () => {
    const up = await uploadDirect(stack, user, PDF, { fileName: 'Résumé "final".pdf', contentType: 'application/pdf' });
    const disposition = (await fetchUrl(stack, up.body.url)).headers.get('content-disposition');
    expect(disposition).toBe(`attachment; filename="R_sum_ _final_.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22.pdf`);
  });

  it('when a validly signed URL has expired, then 404', async () => {
    const up = await uploadDirect(stack, user, await png(), { contentType: 'image/png' });
    const valid = await stack.api.get(signedPath(up.body.id, 'original', Math.floor(Date.now() / 1000) + 60));
    expect(valid.status).toBe(200);
    expectProblem(await stack.api.get(signedPath(up.body.id, 'original', Math.floor(Date.now() / 1000) - 1)), 404, 'not_found');
  });
});
