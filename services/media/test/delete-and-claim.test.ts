import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestUser, registerUser } from '@chat/testkit';
import { PDF, png } from './fixtures.js';
import { type EventRecorder, expectProblem, fetchUrl, getMedia, mediaRowsOf, recordMediaEvents, startUpload, storedObjects, uploadDirect } from './helpers.js';
import { type MediaStack, startMediaStack } from './stack.js';

let stack: MediaStack;
let events: EventRecorder;
beforeAll(async () => {
  // With the chat service: after deleting, the owner reads a media only as a member of a chat showing it.
  stack = await startMediaStack({ RATE_LIMIT_UPLOAD_PER_MINUTE: '1000' }, { social: true });
  events = await recordMediaEvents(stack);
});
afterAll(async () => {
  await events?.close();
  await stack?.stop();
});

/** rpc.media.claim as the message service calls it; returns the raw reply. */
async function claim(
  request: Record<string, unknown>,
): Promise<{ ok: boolean; data?: { media: Record<string, unknown>[] }; error?: { code: string; status: number } }> {
  return events.rpc('rpc.media.claim', request);
}

function claimFor(user: TestUser, mediaIds: string[], messageId: string = randomUUID()) {
  return claim({ appId: user.appId, userId: user.id, chatId: randomUUID(), messageId, mediaIds });
}

const deleteMedia = (user: TestUser, id: string) => stack.api.delete(`/api/v1/media/${id}`, { token: user.accessToken });

describe('GET /media', () => {
  it("when the owner lists, then their ready media newest first, page by page, without pending ones or anyone else's", async () => {
    const user = await registerUser(stack.api);
    const other = await registerUser(stack.api);
    await uploadDirect(stack, other, PDF, { contentType: 'application/pdf' });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await uploadDirect(stack, user, PDF, { fileName: `${i}.pdf`, contentType: 'application/pdf' })).body.id);
    await startUpload(stack, user, PDF, { contentType: 'application/pdf' });
    const first = await stack.api.get('/api/v1/media?limit=2', { token: user.accessToken });
    expect(first.body.data.map((m: { id: string }) => m.id)).toEqual([ids[2], ids[1]]);
    expect(first.body.page).toEqual({ nextCursor: ids[1], hasMore: true });
    expect(first.body.data[0].url).toEqual(expect.any(String));
    const second = await stack.api.get(`/api/v1/media?limit=2&cursor=${first.body.page.nextCursor}`, { token: user.accessToken });
    expect(second.body).toEqual({ data: [expect.objectContaining({ id: ids[0] })], page: { nextCursor: null, hasMore: false } });
    expectProblem(await stack.api.get('/api/v1/media?cursor=not-a-cursor', { token: user.accessToken }), 400, 'validation_failed');
  });
});

describe('DELETE /media/:id', () => {
  it('when the owner deletes media no message shows, then 204, the row and both objects go, and media.deleted says so', async () => {
    const user = await registerUser(stack.api);
    const media = await uploadDirect(stack, user, await png(), { contentType: 'image/png' });
    expect(storedObjects(stack.s3Dir, media.body.id)).toHaveLength(2);
    expect((await deleteMedia(user, media.body.id)).status).toBe(204);
    expect(storedObjects(stack.s3Dir, media.body.id)).toEqual([]);
    expect(await mediaRowsOf(stack, user.id)).toEqual([]);
    expectProblem(await getMedia(stack, user, media.body.id), 404, 'not_found');
    expect((await fetchUrl(stack, media.body.url)).status).toBe(404);
    const { event } = await events.waitFor('media.deleted', { mediaId: media.body.id });
    expect(event.data).toEqual({ mediaId: media.body.id, ownerId: user.id, objectRemoved: true });
    expectProblem(await deleteMedia(user, media.body.id), 404, 'not_found');
  });

  it('when the owner deletes a pending upload, then it goes with whatever was uploaded', async () => {
    const user = await registerUser(stack.api);
    const ticket = await startUpload(stack, user, PDF, { contentType: 'application/pdf' });
    expect((await fetch(ticket.body.uploadUrl, { method: 'PUT', body: PDF, headers: ticket.body.uploadHeaders })).status).toBe(200);
    expect((await deleteMedia(user, ticket.body.mediaId)).status).toBe(204);
    expect(storedObjects(stack.s3Dir, ticket.body.mediaId)).toEqual([]);
  });

  it('when the owner deletes media a message shows, then it only leaves their listing: the message keeps it', async () => {
    const user = await registerUser(stack.api);
    const media = await uploadDirect(stack, user, await png(), { contentType: 'image/png' });
    expect((await claimFor(user, [media.body.id])).ok).toBe(true);
    expect((await deleteMedia(user, media.body.id)).status).toBe(204);
    expect((await stack.api.get('/api/v1/media', { token: user.accessToken })).body.data).toEqual([]);
    expectProblem(await getMedia(stack, user, media.body.id), 404, 'not_found');
    expect(storedObjects(stack.s3Dir, media.body.id)).toHaveLength(2);
    expect(await mediaRowsOf(stack, user.id)).toEqual([{ id: media.body.id, status: 'ready', hidden: true }]);
    expect((await fetchUrl(stack, media.body.url)).status).toBe(200);
    const { event } = await events.waitFor('media.deleted', { mediaId: media.body.id });
    expect(event.data.objectRemoved).toBe(false);
  });
});

describe('rpc.media.claim', () => {
  it("when the sender claims their own ready media, then each one's summary, in the order asked, and claiming again is the same", async () => {
    const user = await registerUser(stack.api);
    const image = await uploadDirect(stack, user, await png(40, 30), { fileName: 'a.png', contentType: 'image/png' });
    const doc = await uploadDirect(stack, user, PDF, { fileName: 'b.pdf', contentType: 'application/pdf' });
    const messageId = randomUUID();
    const reply = await claimFor(user, [doc.body.id, image.body.id], messageId);
    expect(reply).toEqual({
      ok: true,
      data: {
        media: [
          { id: doc.body.id, kind: 'document', contentType: 'application/pdf', size: PDF.length, fileName: 'b.pdf' },
          { id: image.body.id, kind: 'image', contentType: 'image/png', size: image.body.size, fileName: 'a.png', width: 40, height: 30 },
        ],
      },
    });
    expect(await claimFor(user, [doc.body.id, image.body.id], messageId)).toEqual(reply);
  });

  it("when any media is someone else's, pending, deleted or of another app, then not_found and nothing is attached", async () => {
    const user = await registerUser(stack.api);
    const other = await registerUser(stack.api);
    const own = await uploadDirect(stack, user, PDF, { contentType: 'application/pdf' });
    const theirs = await uploadDirect(stack, other, PDF, { contentType: 'application/pdf' });
    const pending = await startUpload(stack, user, PDF, { contentType: 'application/pdf' });
    const gone = await uploadDirect(stack, user, PDF, { contentType: 'application/pdf' });
    await deleteMedia(user, gone.body.id);
    for (const bad of [theirs.body.id, pending.body.mediaId, gone.body.id, randomUUID()]) {
      expect(await claimFor(user, [own.body.id, bad])).toMatchObject({ ok: false, error: { code: 'not_found', status: 404 } });
    }
    expect(await claim({ appId: randomUUID(), userId: user.id, chatId: randomUUID(), messageId: randomUUID(), mediaIds: [own.body.id] })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    // Never attached: deleting it still removes its object.
    expect((await deleteMedia(user, own.body.id)).status).toBe(204);
    expect(storedObjects(stack.s3Dir, own.body.id)).toEqual([]);
  });

  it('when the request is malformed, then a validation_failed reply rather than silence', async () => {
    expect(await claim({ appId: 'x', mediaIds: [] })).toMatchObject({ ok: false, error: { code: 'validation_failed', status: 400 } });
  });
});
