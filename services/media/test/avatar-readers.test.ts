import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestUser, newUsers } from '@chat/testkit';
import { PDF, png } from './fixtures.js';
import { type EventRecorder, expectProblem, fetchUrl, getMedia, recordMediaEvents, startUpload, uploadDirect } from './helpers.js';
import { ROOMY_LIMITS, claimAvatar, newAppUser, setPrivacy } from './social.js';
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

async function avatarOf(owner: TestUser, purpose = 'avatar'): Promise<string> {
  const media = await uploadDirect(stack, owner, await png(32, 32), { fileName: 'me.png', contentType: 'image/png', purpose });
  expect(media.status, JSON.stringify(media.body)).toBe(201);
  return media.body.id;
}

/** An avatar set on the owner's profile through the user service. */
async function profilePhoto(owner: TestUser): Promise<string> {
  const mediaId = await avatarOf(owner);
  const res = await stack.api.patch('/api/v1/users/me', { avatarMediaId: mediaId }, { token: owner.accessToken });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return mediaId;
}

const users = <N extends number>(n: N) => newUsers(stack, n);

describe('rpc.media.claim-avatar', () => {
  it('when the user claims their own ready image, then its summary; an attachment image is accepted too', async () => {
    const [owner] = await users(1);
    const mediaId = await avatarOf(owner);
    expect(await claimAvatar(events, owner, mediaId)).toEqual({
      ok: true,
      data: { media: { id: mediaId, kind: 'image', contentType: 'image/png', size: expect.any(Number), fileName: 'me.png', width: 32, height: 32 } },
    });
    expect((await claimAvatar(events, owner, await avatarOf(owner, 'attachment'))).ok).toBe(true);
    expect(await claimAvatar(events, owner, null)).toEqual({ ok: true, data: { media: null } });
  });

  it("when the media is someone else's, unknown, pending, deleted or of another app, then not_found", async () => {
    const [owner, other] = await users(2);
    const theirs = await avatarOf(other);
    const pending = (await startUpload(stack, owner, await png(), { contentType: 'image/png', purpose: 'avatar' })).body.mediaId;
    const gone = await avatarOf(owner);
    await stack.api.delete(`/api/v1/media/${gone}`, { token: owner.accessToken });
    for (const mediaId of [theirs, randomUUID(), pending, gone]) {
      expect(await claimAvatar(events, owner, mediaId)).toMatchObject({ ok: false, error: { code: 'not_found', status: 404 } });
    }
    const own = await avatarOf(owner);
    expect(await claimAvatar(events, { ...owner, appId: randomUUID() }, own)).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('when the media is not a plain image, or was uploaded for a story, then unsupported_media_type', async () => {
    const [owner] = await users(1);
    const doc = await uploadDirect(stack, owner, PDF, { contentType: 'application/pdf' });
    const story = await avatarOf(owner, 'story');
    for (const mediaId of [doc.body.id, story]) {
      expect(await claimAvatar(events, owner, mediaId)).toMatchObject({ ok: false, error: { code: 'unsupported_media_type', status: 415 } });
    }
  });
});

describe('reading a profile photo', () => {
  it('when the photo is for everyone, then any user of the app reads the media and its bytes; another app gets 404', async () => {
    const [owner, viewer] = await users(2);
    const mediaId = await profilePhoto(owner);
    const res = await getMedia(stack, viewer, mediaId);
    expect(res.status).toBe(200);
    expect((await fetchUrl(stack, res.body.url)).status).toBe(200);
    expectProblem(await getMedia(stack, await newAppUser(stack), mediaId), 404, 'not_found');
  });

  it('when the photo is for nobody, then others get 404 and the owner still reads it', async () => {
    const [owner, viewer] = await users(2);
    const mediaId = await profilePhoto(owner);
    expect((await setPrivacy(stack, owner, { profilePhoto: 'nobody' })).status).toBe(200);
    expectProblem(await getMedia(stack, viewer, mediaId), 404, 'not_found');
    expect((await getMedia(stack, owner, mediaId)).status).toBe(200);
  });

  it('when either user blocked the other, then the viewer gets 404', async () => {
    const [owner, blocked, blocker] = await users(3);
    const mediaId = await profilePhoto(owner);
    expect((await stack.api.post('/api/v1/users/me/blocked', { userId: blocked.id }, { token: owner.accessToken })).status).toBe(201);
    expect((await stack.api.post('/api/v1/users/me/blocked', { userId: owner.id }, { token: blocker.accessToken })).status).toBe(201);
    expectProblem(await getMedia(stack, blocked, mediaId), 404, 'not_found');
    expectProblem(await getMedia(stack, blocker, mediaId), 404, 'not_found');
  });

  it('when the owner deletes the media of their photo, then nobody else reads it any more', async () => {
    const [owner, viewer] = await users(2);
    const mediaId = await profilePhoto(owner);
    expect((await stack.api.delete(`/api/v1/media/${mediaId}`, { token: owner.accessToken })).status).toBe(204);
    expectProblem(await getMedia(stack, viewer, mediaId), 404, 'not_found');
  });

  it('when a media was uploaded as an avatar but never set on the profile, then others get 404', async () => {
    const [owner, viewer] = await users(2);
    await profilePhoto(owner);
    expectProblem(await getMedia(stack, viewer, await avatarOf(owner)), 404, 'not_found');
  });
});
