import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestUser, closeStackDatabases, registerUser, stackDatabase, waitFor } from '@chat/testkit';
import { png } from './fixtures.js';
import {
  type EventRecorder,
  expectProblem,
  getMedia,
  mediaRowsOf,
  putToStore,
  recordMediaEvents,
  startUpload,
  storedObjects,
  uploadDirect,
} from './helpers.js';
import { ROOMY_LIMITS, deleteAccount, newGroup, postInChat, publishEvent } from './social.js';
import { type MediaStack, startMediaStack } from './stack.js';

let stack: MediaStack;
let events: EventRecorder;
beforeAll(async () => {
  stack = await startMediaStack(ROOMY_LIMITS, { social: true });
  events = await recordMediaEvents(stack);
});
afterAll(async () => {
  await events?.close();
  await closeStackDatabases();
  await stack?.stop();
});

async function image(owner: TestUser): Promise<string> {
  const media = await uploadDirect(stack, owner, await png(), { contentType: 'image/png' });
  expect(media.status).toBe(201);
  return media.body.id;
}

const deleteMedia = (user: TestUser, id: string) => stack.api.delete(`/api/v1/media/${id}`, { token: user.accessToken });

/** `evt.message.deleted` as the message service publishes it when a message is deleted for everyone. */
function messageDeleted(sender: TestUser, chatId: string, messageId: string, attachmentIds: string[], appId = sender.appId) {
  return publishEvent(stack, events, 'message.deleted', appId, { chatId, messageId, senderId: sender.id, by: sender.id, attachmentIds });
}

async function linksOf(messageId: string): Promise<number> {
  return (await stackDatabase(stack).one<{ n: number }>('SELECT count(*)::int AS n FROM media.attachments WHERE message_id = $1', [messageId])).n;
}

/** Waits until the message's links are gone (the consumer handles events in stream order, so earlier ones are done too). */
const released = (messageId: string) => waitFor(async () => ((await linksOf(messageId)) === 0 ? true : undefined), 5000, `links of ${messageId} released`);

describe('evt.message.deleted', () => {
  it('when a message showing media its owner had deleted is deleted, then the media goes with its objects and media.deleted says so', async () => {
    const owner = await registerUser(stack.api);
    const chatId = randomUUID();
    const mediaId = await image(owner);
    const messageId = await postInChat(events, owner, chatId, [mediaId]);
    expect((await deleteMedia(owner, mediaId)).status).toBe(204);
    expect(storedObjects(stack.s3Dir, mediaId)).toHaveLength(2);

    await messageDeleted(owner, chatId, messageId, [mediaId]);
    const { event } = await waitFor(() =>
      events.received.find((r) => r.event.type === 'media.deleted' && r.event.data.mediaId === mediaId && r.event.data.objectRemoved),
    );
    expect(event.data).toEqual({ mediaId, ownerId: owner.id, objectRemoved: true });
    expect(storedObjects(stack.s3Dir, mediaId)).toEqual([]);
    expect(await mediaRowsOf(stack, owner.id)).toEqual([]);
  });

  it('when the owner still has the media, then only the link goes: it stays theirs, and deleting it later removes its objects at once', async () => {
    const owner = await registerUser(stack.api);
    const chatId = randomUUID();
    const mediaId = await image(owner);
    const messageId = await postInChat(events, owner, chatId, [mediaId]);
    await messageDeleted(owner, chatId, messageId, [mediaId]);
    await released(messageId);
    expect((await getMedia(stack, owner, mediaId)).status).toBe(200);
    expect(storedObjects(stack.s3Dir, mediaId)).toHaveLength(2);
    expect((await deleteMedia(owner, mediaId)).status).toBe(204);
    expect(storedObjects(stack.s3Dir, mediaId)).toEqual([]);
  });

  it('when another message still shows the deleted media, then it stays until that message goes too', async () => {
    const owner = await registerUser(stack.api);
    const chatId = randomUUID();
    const mediaId = await image(owner);
    const first = await postInChat(events, owner, chatId, [mediaId]);
    const second = await postInChat(events, owner, chatId, [mediaId]);
    await deleteMedia(owner, mediaId);
    await messageDeleted(owner, chatId, first, [mediaId]);
    await released(first);
    expect(await linksOf(second)).toBe(1);
    expect(storedObjects(stack.s3Dir, mediaId)).toHaveLength(2);
    await messageDeleted(owner, chatId, second, [mediaId]);
    await released(second);
    await waitFor(() => (storedObjects(stack.s3Dir, mediaId).length === 0 ? true : undefined), 5000, 'objects removed');
    expect(await mediaRowsOf(stack, owner.id)).toEqual([]);
  });

  it('when the event arrives again, or comes from another app, then nothing more happens', async () => {
    const owner = await registerUser(stack.api);
    const chatId = randomUUID();
    const mediaId = await image(owner);
    const messageId = await postInChat(events, owner, chatId, [mediaId]);
    const kept = await postInChat(events, owner, chatId, [await image(owner)]);
    await deleteMedia(owner, mediaId);
    await messageDeleted(owner, chatId, kept, [], randomUUID());
    await messageDeleted(owner, chatId, messageId, [mediaId]);
    await messageDeleted(owner, chatId, messageId, [mediaId]);
    const marker = await postInChat(events, owner, chatId, [await image(owner)]);
    await messageDeleted(owner, chatId, marker, []);
    await released(marker);
    expect(events.filter('media.deleted', { mediaId, objectRemoved: true })).toHaveLength(1);
    expect(await linksOf(kept)).toBe(1);
  });
});

describe('evt.user.account.deleted', () => {
  it('when an account is deleted, then its media go (objects, thumbnails, pending uploads) except those messages show, which stay for the chat', async () => {
    const [owner, member] = await Promise.all([registerUser(stack.api), registerUser(stack.api)]);
    const chatId = await newGroup(stack, owner, [member]);
    const loose = await image(owner);
    const shown = await image(owner);
    const messageId = await postInChat(events, owner, chatId, [shown]);
    const ticket = await startUpload(stack, owner, await png(), { contentType: 'image/png' });
    expect((await putToStore(ticket.body, await png())).status).toBe(200);
    expect((await stack.api.patch('/api/v1/users/me', { avatarMediaId: loose }, { token: owner.accessToken })).status).toBe(200);

    expect((await deleteAccount(stack, owner)).status).toBe(204);
    const removed = await events.waitFor('media.deleted', { mediaId: loose });
    expect(removed.event.data).toEqual({ mediaId: loose, ownerId: owner.id, objectRemoved: true });
    expect((await events.waitFor('media.deleted', { mediaId: shown })).event.data.objectRemoved).toBe(false);
    expect(await mediaRowsOf(stack, owner.id)).toEqual([{ id: shown, status: 'ready', hidden: true }]);
    expect(storedObjects(stack.s3Dir, loose)).toEqual([]);
    expect(storedObjects(stack.s3Dir, ticket.body.mediaId)).toEqual([]);
    expect(storedObjects(stack.s3Dir, shown)).toHaveLength(2);
    expect(events.filter('media.deleted', { mediaId: ticket.body.mediaId })).toEqual([]);
    expect((await getMedia(stack, member, shown)).status).toBe(200);
    expectProblem(await getMedia(stack, member, loose), 404, 'not_found');

    await messageDeleted(owner, chatId, messageId, [shown]);
    await waitFor(() => events.filter('media.deleted', { mediaId: shown, objectRemoved: true })[0], 5000, 'shown media removed');
    expect(storedObjects(stack.s3Dir, shown)).toEqual([]);
    expect(await mediaRowsOf(stack, owner.id)).toEqual([]);
  });
});
