import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestUser, registerUser } from '@chat/testkit';
import { EXE, HTML, decompressionBomb, png } from './fixtures.js';
import { asApiResponse, complete, expectProblem, fetchUrl, getMedia, putToStore, startUpload, storedObjects, uploadDirect, uploadViaStore } from './helpers.js';
import { type MediaStack, startMediaStack } from './stack.js';

const ADMIN_KEY = 'platform-admin-key-for-media-attacks';

let stack: MediaStack;
let owner: TestUser;
let stranger: TestUser;
beforeAll(async () => {
  stack = await startMediaStack({ RATE_LIMIT_UPLOAD_PER_MINUTE: '1000', PLATFORM_ADMIN_KEY: ADMIN_KEY });
  owner = await registerUser(stack.api);
  stranger = await registerUser(stack.api);
});
afterAll(() => stack?.stop());

/** A user of another app (tenant), minted by that app's backend. */
async function otherAppUser(): Promise<{ accessToken: string }> {
  const app = await stack.api.post('/api/v1/admin/apps', { name: 'Other' }, { headers: { 'x-admin-key': ADMIN_KEY } });
  expect(app.status).toBe(201);
  const minted = await stack.api.post(
    '/api/v1/server/token',
    { externalId: 'someone' },
    { headers: { 'x-api-key': app.body.apiKey, 'x-api-secret': app.body.apiSecret } },
  );
  expect(minted.status).toBe(200);
  return { accessToken: minted.body.tokens.accessToken };
}

function withParam(url: string, name: string, value: string): string {
  const u = new URL(url);
  u.searchParams.set(name, value);
  return u.toString();
}

describe('attacks on uploads', () => {
  it('when the declared size is over the limit, then 413', async () => {
    expectProblem(await startUpload(stack, owner, Buffer.alloc(1), { size: 100 * 1024 * 1024 + 1 }), 413, 'payload_too_large');
  });

  it('when the declared type is not allowed, then 415', async () => {
    expectProblem(await startUpload(stack, owner, EXE, { contentType: 'application/x-msdownload' }), 415, 'unsupported_media_type');
    expectProblem(await uploadDirect(stack, owner, EXE, { contentType: 'application/x-msdownload' }), 415, 'unsupported_media_type');
  });

  it('when HTML is uploaded as a .png, then it is stored and served as HTML, only ever as a download', async () => {
    for (const res of [
      await uploadViaStore(stack, owner, HTML, { fileName: 'cat.png', contentType: 'image/png' }),
      await uploadDirect(stack, owner, HTML, { fileName: 'cat.png', contentType: 'image/png' }),
    ]) {
      expect(res.body).toMatchObject({ status: 'ready', contentType: 'text/html', kind: 'document', fileName: 'cat.png' });
      expect(res.body.thumbnailUrl).toBeUndefined();
      const served = await fetchUrl(stack, res.body.url);
      expect(served.headers.get('content-type')).toMatch(/^text\/html/);
      expect(served.headers.get('content-disposition')).toMatch(/^attachment;/);
      expect(served.headers.get('x-content-type-options')).toBe('nosniff');
      expect(served.headers.get('content-security-policy')).toMatch(/default-src 'none'.*sandbox/);
    }
  });

  it('when file names climb directories, then they are display names only and keys stay server-made', async () => {
    const ticket = await startUpload(stack, owner, Buffer.from('x'), { fileName: '../../../etc/passwd', contentType: 'text/plain' });
    expect(new URL(ticket.body.uploadUrl).pathname).toBe(`/media/${owner.appId}/${ticket.body.mediaId}/upload`);
    expect((await getMedia(stack, owner, ticket.body.mediaId)).body.fileName).toBe('passwd');
    const direct = await uploadDirect(stack, owner, Buffer.from('x'), { fileName: '..\\..\\windows\\win.ini', contentType: 'text/plain' });
    expect(direct.body.fileName).toBe('win.ini');
    expect(storedObjects(stack.s3Dir, direct.body.id)).toEqual([`${owner.appId}/${direct.body.id}/original`]);
    expect(storedObjects(stack.s3Dir).every((key) => /^[0-9a-f-]{36}\/[0-9a-f-]{36}\/(original|upload|thumb\.webp)$/.test(key))).toBe(true);
  });

  it('when an image declares a huge pixel count, then 413 without decoding it, and the service carries on', async () => {
    const bomb = decompressionBomb();
    expect(bomb.length).toBeLessThan(64 * 1024);
    expectProblem(await uploadViaStore(stack, owner, bomb, { fileName: 'bomb.png', contentType: 'image/png' }), 413, 'payload_too_large');
    expectProblem(await uploadDirect(stack, owner, bomb, { fileName: 'bomb.png', contentType: 'image/png' }), 413, 'payload_too_large');
    expectProblem(await uploadDirect(stack, owner, decompressionBomb(8000, 8000), { contentType: 'image/png' }), 413, 'payload_too_large');
    expect((await uploadDirect(stack, owner, await png(), { contentType: 'image/png' })).status).toBe(201);
  });
});

describe('attacks on URLs', () => {
  it('when a presigned upload URL is tampered with, expired or stripped of its signature, then the store refuses it', async () => {
    const ticket = await startUpload(stack, owner, Buffer.from('x'), { contentType: 'text/plain' });
    const url = ticket.body.uploadUrl as string;
    const otherKey = url.replace(`/${ticket.body.mediaId}/upload`, `/${ticket.body.mediaId}/original`);
    expect((await fetch(otherKey, { method: 'PUT', body: 'x' })).status).toBe(403);
    expect((await fetch(withParam(url, 'X-Amz-Expires', '604800'), { method: 'PUT', body: 'x' })).status).toBe(403);
    expect((await fetch(withParam(url, 'X-Amz-Date', '20200101T000000Z'), { method: 'PUT', body: 'x' })).status).toBe(403);
    expect((await fetch(url.split('?')[0]!, { method: 'PUT', body: 'x' })).status).toBe(403);
    expect((await putToStore(ticket.body, Buffer.from('x'))).status).toBe(200);
    expect((await fetch(url.split('?')[0]!)).status).toBe(403);
  });

  it('when a download URL is tampered with, made longer-lived, switched to another variant or another media, then 404', async () => {
    const a = await uploadDirect(stack, owner, await png(), { contentType: 'image/png' });
    const b = await uploadDirect(stack, owner, await png(10, 10), { contentType: 'image/png' });
    expect((await fetchUrl(stack, a.body.url)).status).toBe(200);
    const sig = new URL(a.body.url).searchParams.get('sig')!;
    const exp = Number(new URL(a.body.url).searchParams.get('exp'));
    const tampered = [
      withParam(a.body.url, 'sig', `${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`),
      withParam(a.body.url, 'exp', String(exp + 3600)),
      withParam(a.body.url, 'variant', 'thumb'),
      a.body.url.replace(a.body.id, b.body.id),
      withParam(b.body.thumbnailUrl, 'variant', 'original'),
    ];
    for (const url of tampered) expectProblem(await asApiResponse(await fetchUrl(stack, url)), 404, 'not_found');
  });
});

describe('attacks on access', () => {
  it('when a stranger asks for metadata, completion, deletion or the bytes of media they do not own, then 404', async () => {
    const media = await uploadDirect(stack, owner, await png(), { contentType: 'image/png' });
    const pending = await startUpload(stack, owner, Buffer.from('x'), { contentType: 'text/plain' });
    for (const id of [media.body.id, pending.body.mediaId]) {
      expectProblem(await getMedia(stack, stranger, id), 404, 'not_found');
      expectProblem(await complete(stack, stranger, id), 404, 'not_found');
      expectProblem(await stack.api.delete(`/api/v1/media/${id}`, { token: stranger.accessToken }), 404, 'not_found');
    }
    const forged = `/api/v1/media/${media.body.id}/content?variant=original&exp=${Math.floor(Date.now() / 1000) + 60}&sig=${'A'.repeat(43)}`;
    expectProblem(await stack.api.get(forged), 404, 'not_found');
    const list = await stack.api.get('/api/v1/media', { token: stranger.accessToken });
    expect(list.body.data.map((m: { id: string }) => m.id)).not.toContain(media.body.id);
    expect((await getMedia(stack, owner, media.body.id)).status).toBe(200);
  });

  it("when another app's user asks for a media, then 404", async () => {
    const media = await uploadDirect(stack, owner, await png(), { contentType: 'image/png' });
    const outsider = await otherAppUser();
    expectProblem(await stack.api.get(`/api/v1/media/${media.body.id}`, { token: outsider.accessToken }), 404, 'not_found');
    expectProblem(await stack.api.post(`/api/v1/media/${media.body.id}/complete`, undefined, { token: outsider.accessToken }), 404, 'not_found');
    expectProblem(await stack.api.delete(`/api/v1/media/${media.body.id}`, { token: outsider.accessToken }), 404, 'not_found');
    expect((await getMedia(stack, owner, media.body.id)).status).toBe(200);
  });
});
