import type { NatsConnection } from '@nats-io/transport-node';
import type { Stack } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anAvatarId, as, expectInvalid, natsFor, newAppUser, newUser } from './helpers.js';
import { startUserStack } from './stack.js';

let stack: Stack;
let nc: NatsConnection;
let rpc: (subject: string, body: unknown) => Promise<any>;

beforeAll(async () => {
  stack = await startUserStack();
  ({ nc, rpc } = await natsFor(stack));
});
afterAll(async () => {
  await nc?.drain();
  await stack?.stop();
});

const DEFAULTS = {
  privacy: {
    lastSeen: 'everyone',
    profilePhoto: 'everyone',
    readReceipts: true,
    addToGroups: 'everyone',
    discoverableByPhone: true,
    discoverableByEmail: true,
  },
  notifications: { directMessages: true, groupMessages: true, mentions: true, showPreview: true },
};

describe('settings', () => {
  it('when a new user reads the settings, then every default is there', async () => {
    const u = await newUser(stack);
    const res = await as(stack, u).get('/users/me/settings');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(DEFAULTS);
  });

  it('when some settings are patched, then only those change and they persist', async () => {
    const u = await newUser(stack);
    const res = await as(stack, u).patch('/users/me/settings', { privacy: { lastSeen: 'nobody', readReceipts: false }, notifications: { showPreview: false } });
    expect(res.status).toBe(200);
    const expected = {
      privacy: { ...DEFAULTS.privacy, lastSeen: 'nobody', readReceipts: false },
      notifications: { ...DEFAULTS.notifications, showPreview: false },
    };
    expect(res.body).toEqual(expected);
    expect((await as(stack, u).patch('/users/me/settings', { privacy: { addToGroups: 'contacts' } })).body).toEqual({
      ...expected,
      privacy: { ...expected.privacy, addToGroups: 'contacts' },
    });
    expect((await as(stack, u).get('/users/me/settings')).body.privacy).toMatchObject({ lastSeen: 'nobody', addToGroups: 'contacts', readReceipts: false });
  });

  it('when a setting has an unknown name or a value outside its levels, then 400 naming it', async () => {
    const u = await newUser(stack);
    expectInvalid(await as(stack, u).patch('/users/me/settings', { privacy: { lastSeen: 'friends' } }), 'privacy.lastSeen');
    expectInvalid(await as(stack, u).patch('/users/me/settings', { privacy: { addToGroups: 'nobody' } }), 'privacy.addToGroups');
    expectInvalid(await as(stack, u).patch('/users/me/settings', { privacy: { readReceipts: 'off' } }), 'privacy.readReceipts');
    expectInvalid(await as(stack, u).patch('/users/me/settings', { privacy: { invisible: true } }), 'privacy.invisible');
    expectInvalid(await as(stack, u).patch('/users/me/settings', { notifications: { email: true } }), 'notifications.email');
    expectInvalid(await as(stack, u).patch('/users/me/settings', { theme: 'dark' }), 'theme');
    expect((await as(stack, u).get('/users/me/settings')).body).toEqual(DEFAULTS);
  });
});

describe('privacy applied to profiles', () => {
  async function ownerWithPhoto(profilePhoto: string) {
    const owner = await newUser(stack);
    const avatarMediaId = await anAvatarId(stack, owner);
    await as(stack, owner).patch('/users/me', { avatarMediaId });
    await as(stack, owner).patch('/users/me/settings', { privacy: { profilePhoto } });
    return { owner, avatarMediaId };
  }

  it('when the photo is for contacts only, then a stranger sees no avatar and a contact of the owner does', async () => {
    const { owner, avatarMediaId } = await ownerWithPhoto('contacts');
    const [stranger, friend] = await Promise.all([newUser(stack), newUser(stack)]);
    expect((await as(stack, owner).post('/users/me/contacts', { userId: friend.id })).status).toBe(201);

    expect((await as(stack, stranger).get(`/users/${owner.id}`)).body.avatarMediaId).toBeNull();
    expect((await as(stack, friend).get(`/users/${owner.id}`)).body.avatarMediaId).toBe(avatarMediaId);
    expect((await as(stack, owner).get('/users/me')).body.avatarMediaId).toBe(avatarMediaId);
  });

  it('when the stranger adds the owner to their own contacts, then that grants nothing', async () => {
    const { owner } = await ownerWithPhoto('contacts');
    const stranger = await newUser(stack);
    expect((await as(stack, stranger).post('/users/me/contacts', { userId: owner.id })).status).toBe(201);
    expect((await as(stack, stranger).get(`/users/${owner.id}`)).body.avatarMediaId).toBeNull();
  });

  it('when the photo is for nobody, then even a contact sees no avatar, but the owner does', async () => {
    const { owner, avatarMediaId } = await ownerWithPhoto('nobody');
    const friend = await newUser(stack);
    await as(stack, owner).post('/users/me/contacts', { userId: friend.id });
    expect((await as(stack, friend).get(`/users/${owner.id}`)).body.avatarMediaId).toBeNull();
    expect((await as(stack, owner).get('/users/me')).body.avatarMediaId).toBe(avatarMediaId);
  });

  it('when the photo is for everyone, then anyone of the app sees it', async () => {
    const { owner, avatarMediaId } = await ownerWithPhoto('everyone');
    expect((await as(stack, await newUser(stack)).get(`/users/${owner.id}`)).body.avatarMediaId).toBe(avatarMediaId);
  });
});

describe('rpc.user.privacy', () => {
  it('when asked for many users with a viewer, then one answer carries each one’s settings and the viewer’s access', async () => {
    const [viewer, open, hidden, blocker] = await Promise.all([newUser(stack), newUser(stack), newUser(stack), newUser(stack)]);
    await as(stack, hidden).patch('/users/me/settings', {
      privacy: { lastSeen: 'contacts', profilePhoto: 'nobody', addToGroups: 'contacts', readReceipts: false },
    });
    await as(stack, blocker).post('/users/me/blocked', { userId: viewer.id });

    const reply = await rpc('rpc.user.privacy', { appId: viewer.appId, userIds: [open.id, hidden.id, blocker.id], viewerId: viewer.id });
    expect(reply.ok).toBe(true);
    const byId = Object.fromEntries(reply.data.users.map((u: { userId: string }) => [u.userId, u]));
    expect(Object.keys(byId).sort()).toEqual([open.id, hidden.id, blocker.id].sort());
    expect(byId[open.id].viewer).toEqual({ isContact: false, blocked: false, canSeeLastSeen: true, canSeeProfilePhoto: true, canAddToGroups: true });
    expect(byId[hidden.id].privacy).toMatchObject({ lastSeen: 'contacts', profilePhoto: 'nobody', addToGroups: 'contacts', readReceipts: false });
    expect(byId[hidden.id].viewer).toEqual({ isContact: false, blocked: false, canSeeLastSeen: false, canSeeProfilePhoto: false, canAddToGroups: false });
    expect(byId[blocker.id].viewer).toEqual({ isContact: false, blocked: true, canSeeLastSeen: false, canSeeProfilePhoto: false, canAddToGroups: false });

    await as(stack, hidden).post('/users/me/contacts', { userId: viewer.id });
    const again = await rpc('rpc.user.privacy', { appId: viewer.appId, userIds: [hidden.id], viewerId: viewer.id });
    expect(again.data.users[0].viewer).toEqual({ isContact: true, blocked: false, canSeeLastSeen: true, canSeeProfilePhoto: false, canAddToGroups: true });
  });

  it('when asked without a viewer, then the settings come without access; users of another app are left out', async () => {
    const [u, other] = await Promise.all([newUser(stack), newAppUser(stack)]);
    await as(stack, other).get('/users/me');
    const reply = await rpc('rpc.user.privacy', { appId: u.appId, userIds: [u.id, other.id] });
    expect(reply.data.users).toHaveLength(1);
    expect(reply.data.users[0]).toEqual({ userId: u.id, deleted: false, privacy: DEFAULTS.privacy });
  });

  it('when asked for more than 500 users or with a bad id, then a validation error reply, never silence', async () => {
    const u = await newUser(stack);
    const ids = Array.from({ length: 501 }, () => u.id);
    expect(await rpc('rpc.user.privacy', { appId: u.appId, userIds: ids })).toMatchObject({ ok: false, error: { code: 'validation_failed', status: 400 } });
    expect(await rpc('rpc.user.privacy', { appId: u.appId, userIds: ['nope'] })).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
  });
});
