import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestUser, registerUser } from '@chat/testkit';
import { HTML, PDF, png } from './fixtures.js';
import { type EventRecorder, expectProblem, fetchUrl, mediaRowsOf, postMedia, recordMediaEvents, storedObjects, uploadDirect } from './helpers.js';
import { type MediaStack, startMediaStack } from './stack.js';

let stack: MediaStack;
let events: EventRecorder;
let user: TestUser;
beforeAll(async () => {
  stack = await startMediaStack({ RATE_LIMIT_UPLOAD_PER_MINUTE: '1000' });
  events = await recordMediaEvents(stack);
  user = await registerUser(stack.api);
});
afterAll(async () => {
  await events?.close();
  await stack?.stop();
});

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('POST /media (multipart)', () => {
  it('when an image is posted, then 201 with a ready image media, its thumbnail and media.ready', async () => {
    const res = await uploadDirect(stack, user, await png(300, 200), { fileName: 'shot.png', contentType: 'image/png' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      ownerId: user.id,
      fileName: 'shot.png',
      status: 'ready',
      kind: 'image',
      contentType: 'image/png',
      width: 300,
      height: 200,
    });
    expect(storedObjects(stack.s3Dir, res.body.id)).toEqual([`${user.appId}/${res.body.id}/original`, `${user.appId}/${res.body.id}/thumb.webp`]);
    await events.waitFor('media.ready', { mediaId: res.body.id, kind: 'image' });
  });

  it('when a file larger than one upload part is posted, then it is streamed to the store and served back byte for byte', async () => {
    const bytes = randomBytes(12 * 1024 * 1024 + 123);
    const res = await uploadDirect(stack, user, bytes, { fileName: 'big.bin' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ size: bytes.length, kind: 'other', contentType: 'application/octet-stream' });
    const served = await fetchUrl(stack, res.body.url);
    expect(served.status).toBe(200);
    expect(sha256(Buffer.from(await served.arrayBuffer()))).toBe(sha256(bytes));
  });

  it('when the body is not multipart, then 415', async () => {
    expectProblem(
      await postMedia(stack, user, JSON.stringify({ file: 'x' }), { headers: { 'content-type': 'application/json' } }),
      415,
      'unsupported_media_type',
    );
  });

  it('when the multipart body has no file part, then 400 naming the field', async () => {
    const form = new FormData();
    form.append('other', 'value');
    const res = await postMedia(stack, user, form);
    expectProblem(res, 400, 'validation_failed');
    expect(res.body.errors[0].path).toBe('file');
  });

  it('when the multipart body is broken off in the middle of its file, then 400 and nothing stays', async () => {
    const body = Buffer.from(
      '--b\r\nContent-Disposition: form-data; name="file"; filename="x.bin"\r\nContent-Type: application/octet-stream\r\n\r\nsome bytes but no closing boundary',
    );
    const before = storedObjects(stack.s3Dir);
    const fresh = await registerUser(stack.api);
    const res = await postMedia(stack, fresh, body, { headers: { 'content-type': 'multipart/form-data; boundary=b' } });
    expectProblem(res, 400, 'validation_failed');
    expect(storedObjects(stack.s3Dir)).toEqual(before);
    expect(await mediaRowsOf(stack, fresh.id)).toEqual([]);
  });

  it('when an avatar is posted as a PDF, then 415 and nothing is stored', async () => {
    const fresh = await registerUser(stack.api);
    expectProblem(await uploadDirect(stack, fresh, PDF, { contentType: 'application/pdf', purpose: 'avatar' }), 415, 'unsupported_media_type');
    expect(await mediaRowsOf(stack, fresh.id)).toEqual([]);
  });

  it('when an avatar image is posted without a specific part type, then its sniffed type decides and it is accepted', async () => {
    const res = await uploadDirect(stack, user, await png(), { fileName: 'me', contentType: '', purpose: 'avatar' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ purpose: 'avatar', kind: 'image', contentType: 'image/png' });
  });

  it('when an avatar claims to be a PNG but is HTML, then 415 and neither row nor object stays', async () => {
    const fresh = await registerUser(stack.api);
    const before = storedObjects(stack.s3Dir);
    expectProblem(await uploadDirect(stack, fresh, HTML, { fileName: 'me.png', contentType: 'image/png', purpose: 'avatar' }), 415, 'unsupported_media_type');
    expect(storedObjects(stack.s3Dir)).toEqual(before);
    expect(await mediaRowsOf(stack, fresh.id)).toEqual([]);
  });

  it('when the file is empty, then 422', async () => {
    expectProblem(await uploadDirect(stack, user, Buffer.alloc(0)), 422, 'validation_failed');
  });

  it('when the query has an unknown purpose or field, then 400', async () => {
    const form = () => {
      const f = new FormData();
      f.append('file', new Blob([Buffer.from('hi')]), 'a.txt');
      return f;
    };
    expectProblem(await postMedia(stack, user, form(), { query: '?purpose=banner' }), 400, 'validation_failed');
    expectProblem(await postMedia(stack, user, form(), { query: '?bucket=other' }), 400, 'validation_failed');
  });
});
