import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '@chat/testkit';
import { TINY_PNG, anAvatarId, as, expectInvalid, expectProblem, newAppUser, newUser, uploadMedia } from './helpers.js';
import { startUserStack } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startUserStack();
});
afterAll(() => stack?.stop());

const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');

const readMedia = (who: { accessToken: string }, id: string) => stack.api.get(`/api/v1/media/${id}`, { token: who.accessToken });

describe('PATCH /users/me with avatarMediaId', () => {
  it('when the avatar is an image the user uploaded, then the profile shows it and others who may see the photo can read the media', async () => {
    const [owner, viewer] = await Promise.all([newUser(stack), newUser(stack)]);
    const avatarMediaId = await anAvatarId(stack, owner);
    const res = await as(stack, owner).patch('/users/me', { avatarMediaId });
    expect(res.status).toBe(200);
    expect(res.body.avatarMediaId).toBe(avatarMediaId);
    const seen = await readMedia(viewer, avatarMediaId);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ id: avatarMediaId, ownerId: owner.id, kind: 'image', url: expect.any(String) });
  });

  it('when an image uploaded as an attachment is set, then it is accepted too', async () => {
    const owner = await newUser(stack);
    const media = await uploadMedia(stack, owner, TINY_PNG, { purpose: 'attachment' });
    expect((await as(stack, owner).patch('/users/me', { avatarMediaId: media.id })).body.avatarMediaId).toBe(media.id);
  });

  it("when the avatar is someone else's media, then 403 forbidden and the profile keeps its photo", async () => {
    const [owner, other] = await Promise.all([newUser(stack), newUser(stack)]);
    const own = await anAvatarId(stack, owner);
    await as(stack, owner).patch('/users/me', { avatarMediaId: own });
    const theirs = await anAvatarId(stack, other);
    expectProblem(await as(stack, owner).patch('/users/me', { avatarMediaId: theirs, bio: 'changed' }), 403, 'forbidden');
    expect((await as(stack, owner).get('/users/me')).body).toMatchObject({ avatarMediaId: own, bio: null });
  });

  it('when the avatar is an unknown id, an unfinished upload or media of another app, then 403 forbidden alike', async () => {
    const owner = await newUser(stack);
    const pending = await stack.api.post(
      '/api/v1/media/uploads',
      { fileName: 'me.png', contentType: 'image/png', size: TINY_PNG.length, purpose: 'avatar' },
      { token: owner.accessToken },
    );
    expect(pending.status).toBe(201);
    const stranger = await newAppUser(stack);
    const foreign = await anAvatarId(stack, stranger);
    for (const avatarMediaId of [randomUUID(), pending.body.mediaId, foreign]) {
      expectProblem(await as(stack, owner).patch('/users/me', { avatarMediaId }), 403, 'forbidden');
    }
    expectProblem(await as(stack, stranger).patch('/users/me', { avatarMediaId: await anAvatarId(stack, owner) }), 403, 'forbidden');
    expect((await as(stack, owner).get('/users/me')).body.avatarMediaId).toBeNull();
  });

  it('when the avatar is not an image, then 400 naming avatarMediaId', async () => {
    const owner = await newUser(stack);
    const doc = await uploadMedia(stack, owner, PDF, { contentType: 'application/pdf', purpose: 'attachment' });
    expectInvalid(await as(stack, owner).patch('/users/me', { avatarMediaId: doc.id }), 'avatarMediaId');
    expect((await as(stack, owner).get('/users/me')).body.avatarMediaId).toBeNull();
  });

  it('when the photo is replaced or removed, then others can no longer read the one before, while its owner still can', async () => {
    const [owner, viewer] = await Promise.all([newUser(stack), newUser(stack)]);
    const first = await anAvatarId(stack, owner);
    const second = await anAvatarId(stack, owner);
    await as(stack, owner).patch('/users/me', { avatarMediaId: first });
    expect((await readMedia(viewer, first)).status).toBe(200);
    await as(stack, owner).patch('/users/me', { avatarMediaId: second });
    expectProblem(await readMedia(viewer, first), 404, 'not_found');
    expect((await readMedia(viewer, second)).status).toBe(200);
    expect((await as(stack, owner).patch('/users/me', { avatarMediaId: null })).body.avatarMediaId).toBeNull();
    expectProblem(await readMedia(viewer, second), 404, 'not_found');
    expect((await readMedia(owner, second)).status).toBe(200);
  });

  it('when the photo is for contacts only, then a contact of the owner reads the media and a stranger gets 404', async () => {
    const [owner, friend, stranger] = await Promise.all([newUser(stack), newUser(stack), newUser(stack)]);
    const avatarMediaId = await anAvatarId(stack, owner);
    await as(stack, owner).patch('/users/me', { avatarMediaId });
    await as(stack, owner).patch('/users/me/settings', { privacy: { profilePhoto: 'contacts' } });
    await as(stack, owner).post('/users/me/contacts', { userId: friend.id });
    expect((await readMedia(friend, avatarMediaId)).status).toBe(200);
    expectProblem(await readMedia(stranger, avatarMediaId), 404, 'not_found');
  });

  it('when a user other than the owner only knows the id of an avatar never set on a profile, then 404', async () => {
    const [owner, viewer] = await Promise.all([newUser(stack), newUser(stack)]);
    expectProblem(await readMedia(viewer, await anAvatarId(stack, owner)), 404, 'not_found');
  });
});
