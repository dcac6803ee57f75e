import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestUser, registerUser } from '@chat/testkit';
import { png } from './fixtures.js';
import { type EventRecorder, expectProblem, fetchUrl, getMedia, recordMediaEvents, uploadDirect } from './helpers.js';
import { ROOMY_LIMITS, newAppUser, newGroup, postInChat, removeMember } from './social.js';
import { type MediaStack, startMediaStack } from './stack.js';

let stack: MediaStack;
let events: EventRecorder;
beforeAll(async () => {
  stack = await startMediaStack(ROOMY_LIMITS, { social: true });
  events = await recordMediaEvents(stack);
});
afterAll(async () => {
  await events?.close();
  await stack?.stop();
});

/** An image `owner` posted in a new group with `members`. */
async function postedImage(owner: TestUser, members: TestUser[]) {
  const chatId = await newGroup(stack, owner, members);
  const media = await uploadDirect(stack, owner, await png(), { fileName: 'holiday.png', contentType: 'image/png' });
  expect(media.status).toBe(201);
  await postInChat(events, owner, chatId, [media.body.id]);
  return { chatId, mediaId: media.body.id as string };
}

describe('media posted in a chat', () => {
  it('when a member reads it, then metadata with signed URLs that serve the bytes and the thumbnail', async () => {
    const [owner, member] = await Promise.all([registerUser(stack.api), registerUser(stack.api)]);
    const { mediaId } = await postedImage(owner, [member]);
    const res = await getMedia(stack, member, mediaId);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: mediaId,
      ownerId: owner.id,
      kind: 'image',
      status: 'ready',
      url: expect.any(String),
      thumbnailUrl: expect.any(String),
    });
    const bytes = await fetchUrl(stack, res.body.url);
    expect(bytes.status).toBe(200);
    expect(Buffer.from(await bytes.arrayBuffer()).length).toBe(res.body.size);
    expect((await fetchUrl(stack, res.body.thumbnailUrl)).status).toBe(200);
  });

  it('when a user of the same app who is not a member reads it, then 404 and no URL', async () => {
    const [owner, member, outsider] = await Promise.all([registerUser(stack.api), registerUser(stack.api), registerUser(stack.api)]);
    const { mediaId } = await postedImage(owner, [member]);
    const res = await getMedia(stack, outsider, mediaId);
    expectProblem(res, 404, 'not_found');
    expect(res.body.url).toBeUndefined();
  });

  it('when a member is removed from the chat, then reading it is 404 from then on', async () => {
    const [owner, member] = await Promise.all([registerUser(stack.api), registerUser(stack.api)]);
    const { chatId, mediaId } = await postedImage(owner, [member]);
    expect((await getMedia(stack, member, mediaId)).status).toBe(200);
    await removeMember(stack, owner, chatId, member.id);
    expectProblem(await getMedia(stack, member, mediaId), 404, 'not_found');
  });

  it('when a user of another app reads it, then 404', async () => {
    const [owner, member] = await Promise.all([registerUser(stack.api), registerUser(stack.api)]);
    const { mediaId } = await postedImage(owner, [member]);
    expectProblem(await getMedia(stack, await newAppUser(stack), mediaId), 404, 'not_found');
  });

  it('when the media is in several chats, then a member of any one of them reads it', async () => {
    const [owner, first, second] = await Promise.all([registerUser(stack.api), registerUser(stack.api), registerUser(stack.api)]);
    const { mediaId } = await postedImage(owner, [first]);
    await postInChat(events, owner, await newGroup(stack, owner, [second]), [mediaId]);
    expect((await getMedia(stack, first, mediaId)).status).toBe(200);
    expect((await getMedia(stack, second, mediaId)).status).toBe(200);
  });

  it('when its owner deleted it, then members still read it (the owner too, as a member) and it stays out of the listing', async () => {
    const [owner, member] = await Promise.all([registerUser(stack.api), registerUser(stack.api)]);
    const { mediaId } = await postedImage(owner, [member]);
    expect((await stack.api.delete(`/api/v1/media/${mediaId}`, { token: owner.accessToken })).status).toBe(204);
    expect((await getMedia(stack, member, mediaId)).status).toBe(200);
    expect((await getMedia(stack, owner, mediaId)).status).toBe(200);
    expect((await stack.api.get('/api/v1/media', { token: owner.accessToken })).body.data).toEqual([]);
  });

  it("when the chat's history is truncated after it was posted, then members no longer read it, unless it is posted again", async () => {
    const [owner, member] = await Promise.all([registerUser(stack.api), registerUser(stack.api)]);
    const { chatId, mediaId } = await postedImage(owner, [member]);
    expect((await stack.api.post(`/api/v1/chats/${chatId}/truncate`, undefined, { token: owner.accessToken })).status).toBeLessThan(300);
    expectProblem(await getMedia(stack, member, mediaId), 404, 'not_found');
    await postInChat(events, owner, chatId, [mediaId]);
    expect((await getMedia(stack, member, mediaId)).status).toBe(200);
  });

  it('when only the owner posted it in a chat nobody else is in, then the owner still reads it and nobody else does', async () => {
    const [owner, other] = await Promise.all([registerUser(stack.api), registerUser(stack.api)]);
    const { mediaId } = await postedImage(owner, []);
    expect((await getMedia(stack, owner, mediaId)).status).toBe(200);
    expectProblem(await getMedia(stack, other, mediaId), 404, 'not_found');
  });
});
