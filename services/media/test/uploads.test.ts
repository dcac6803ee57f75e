import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestUser, registerUser } from '@chat/testkit';
import { EXE, PDF, png } from './fixtures.js';
import {
  type EventRecorder,
  UUID,
  complete,
  expectProblem,
  fetchUrl,
  getMedia,
  putToStore,
  recordMediaEvents,
  startUpload,
  storedObjects,
  uploadViaStore,
} from './helpers.js';
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

describe('POST /media/uploads', () => {
  it('when a user starts an upload, then 201 with a PUT URL of at most 5 minutes for a server-made key, and a pending media', async () => {
    const bytes = await png();
    const before = Date.now();
    const res = await startUpload(stack, user, bytes, { fileName: 'holiday.png', contentType: 'image/png' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ mediaId: expect.stringMatching(UUID), uploadMethod: 'PUT', uploadHeaders: { 'content-type': 'image/png' } });
    const url = new URL(res.body.uploadUrl);
    expect(url.pathname).toBe(`/media/${user.appId}/${res.body.mediaId}/upload`);
    expect(Number(url.searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(300);
    expect(new Date(res.body.expiresAt).getTime()).toBeLessThanOrEqual(before + 300_000 + 1000);
    const pending = await getMedia(stack, user, res.body.mediaId);
    expect(pending.body).toMatchObject({ id: res.body.mediaId, ownerId: user.id, status: 'pending', fileName: 'holiday.png', size: bytes.length });
    expect(pending.body.url).toBeUndefined();
  });

  it('when the body is not valid, then 400 naming the field', async () => {
    for (const [body, path] of [
      [{ fileName: 'a', contentType: 'image/png' }, 'size'],
      [{ fileName: 'a', contentType: 'not a type', size: 1 }, 'contentType'],
      [{ fileName: '', contentType: 'image/png', size: 1 }, 'fileName'],
      [{ fileName: 'a\u0000b', contentType: 'image/png', size: 1 }, 'fileName'],
      [{ fileName: 'a', contentType: 'image/png', size: 0 }, 'size'],
      [{ fileName: 'a', contentType: 'image/png', size: 1, purpose: 'banner' }, 'purpose'],
      [{ fileName: 'a', contentType: 'image/png', size: 1, key: 'x' }, 'key'],
    ] as const) {
      const res = await stack.api.post('/api/v1/media/uploads', body, { token: user.accessToken });
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
  });

  it('when the declared type is not accepted for the purpose, then 415', async () => {
    expectProblem(await startUpload(stack, user, PDF, { contentType: 'application/pdf', purpose: 'avatar' }), 415, 'unsupported_media_type');
    expectProblem(await startUpload(stack, user, PDF, { contentType: 'application/pdf', purpose: 'story' }), 415, 'unsupported_media_type');
    expect((await startUpload(stack, user, PDF, { contentType: 'application/pdf' })).status).toBe(201);
  });

  it('when no token is sent, then 401', async () => {
    expectProblem(await stack.api.post('/api/v1/media/uploads', { fileName: 'a', contentType: 'image/png', size: 1 }), 401, 'unauthorized');
  });
});

describe('POST /media/:id/complete', () => {
  it('when the declared bytes were PUT, then the media is ready with sniffed type, kind, dimensions and thumbnail, and media.ready is published', async () => {
    const res = await uploadViaStore(stack, user, await png(640, 480), { fileName: 'photo.png', contentType: 'image/png' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ready', kind: 'image', contentType: 'image/png', width: 640, height: 480, purpose: 'attachment' });
    expect(res.body.url).toContain(`/api/v1/media/${res.body.id}/content?`);
    expect(res.body.thumbnailUrl).toContain('variant=thumb');
    expect(storedObjects(stack.s3Dir, res.body.id)).toEqual([`${user.appId}/${res.body.id}/original`, `${user.appId}/${res.body.id}/thumb.webp`]);
    const { subject, event } = await events.waitFor('media.ready', { mediaId: res.body.id });
    expect(subject).toBe(`${stack.env.NATS_PREFIX}evt.media.ready`);
    expect(event).toMatchObject({
      appId: user.appId,
      data: { ownerId: user.id, kind: 'image', contentType: 'image/png', size: res.body.size, width: 640, height: 480, purpose: 'attachment' },
    });
  });

  it('when completion is asked again, then the same ready media and no second event', async () => {
    const first = await uploadViaStore(stack, user, await png(), { contentType: 'image/png' });
    const again = await complete(stack, user, first.body.id);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: first.body.id, status: 'ready', size: first.body.size });
    await events.waitFor('media.ready', { mediaId: first.body.id });
    expect(events.received.filter((r) => r.event.data.mediaId === first.body.id)).toHaveLength(1);
  });

  it('when nothing was uploaded yet, then 409 and the media stays pending', async () => {
    const ticket = await startUpload(stack, user, PDF, { contentType: 'application/pdf' });
    expectProblem(await complete(stack, user, ticket.body.mediaId), 409, 'conflict');
    expect((await getMedia(stack, user, ticket.body.mediaId)).body.status).toBe('pending');
  });

  it('when a presigned upload declared 5 bytes gets a 3 MiB body, then the store refuses it and keeps nothing; exactly 5 bytes are accepted and complete', async () => {
    const ticket = await startUpload(stack, user, Buffer.from('hello'), { fileName: 'note.txt', contentType: 'text/plain' });
    expect(ticket.status).toBe(201);
    expect(new URL(ticket.body.uploadUrl).searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;host');
    expect((await putToStore(ticket.body, Buffer.alloc(3 * 1024 * 1024, 'a'))).status).toBe(403);
    expect(storedObjects(stack.s3Dir, ticket.body.mediaId)).toEqual([]);
    expectProblem(await complete(stack, user, ticket.body.mediaId), 409, 'conflict');
    expect((await putToStore(ticket.body, Buffer.from('hello'))).status).toBe(200);
    const done = await complete(stack, user, ticket.body.mediaId);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'ready', size: 5, contentType: 'text/plain' });
  });

  it('when the body is smaller than declared or sent without a length, then the store refuses it too', async () => {
    const bytes = await png();
    const ticket = await startUpload(stack, user, bytes, { contentType: 'image/png', size: bytes.length + 10 });
    expect((await putToStore(ticket.body, bytes)).status).toBe(403);
    const chunked = new ReadableStream({
      start(controller) {
        controller.enqueue(new Uint8Array(Buffer.concat([bytes, Buffer.alloc(10)])));
        controller.close();
      },
    });
    const streamed = await fetch(ticket.body.uploadUrl, { method: 'PUT', body: chunked, headers: ticket.body.uploadHeaders, duplex: 'half' } as RequestInit);
    expect(streamed.status).toBe(403);
    expect(storedObjects(stack.s3Dir, ticket.body.mediaId)).toEqual([]);
    expect((await getMedia(stack, user, ticket.body.mediaId)).body.status).toBe('pending');
  });

  it('when the PUT carried another Content-Type than declared, then 415 on completion', async () => {
    const bytes = await png();
    const ticket = await startUpload(stack, user, bytes, { contentType: 'image/png' });
    expect((await putToStore(ticket.body, bytes, { 'content-type': 'text/html' })).status).toBe(200);
    expectProblem(await complete(stack, user, ticket.body.mediaId), 415, 'unsupported_media_type');
    expect(storedObjects(stack.s3Dir, ticket.body.mediaId)).toEqual([]);
  });

  it('when the bytes are an executable declared as a generic binary, then 415 on completion and nothing is kept', async () => {
    const ticket = await startUpload(stack, user, EXE, { fileName: 'setup.bin', contentType: 'application/octet-stream' });
    expect((await putToStore(ticket.body, EXE)).status).toBe(200);
    expectProblem(await complete(stack, user, ticket.body.mediaId), 415, 'unsupported_media_type');
    expect(storedObjects(stack.s3Dir, ticket.body.mediaId)).toEqual([]);
    expect((await getMedia(stack, user, ticket.body.mediaId)).body.status).toBe('pending');
  });

  it('when the store object is rewritten through the URL after completion, then what is served stays the checked bytes', async () => {
    const bytes = await png(32, 32);
    const ticket = await startUpload(stack, user, bytes, { contentType: 'image/png' });
    await putToStore(ticket.body, bytes);
    const ready = await complete(stack, user, ticket.body.mediaId);
    expect(ready.status).toBe(200);
    // The same length: the URL signs the declared size.
    const rewrite = Buffer.alloc(bytes.length, ' ');
    rewrite.write('<html><script>alert(1)</script></html>');
    expect((await putToStore(ticket.body, rewrite, { 'content-type': 'image/png' })).status).toBe(200);
    const served = await fetchUrl(stack, ready.body.url);
    expect(Buffer.from(await served.arrayBuffer()).equals(bytes)).toBe(true);
  });
});
