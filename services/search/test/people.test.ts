import { type Stack, registerUser, waitForMail, waitForSms } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestUser, as, newAppUser, newGroup, newUsers, search, send, waitFor, word } from './helpers.js';
import { startSearchStack } from './stack.js';

let stack: Stack;
let viewer: TestUser;
beforeAll(async () => {
  stack = await startSearchStack();
  [viewer] = await newUsers(stack, 1);
});
afterAll(() => stack?.stop());

const userIds = async (who: TestUser | { accessToken: string; id: string }, q: string) => {
  const res = await search(stack, who, '/search/users', { q });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data.map((u: { id: string }) => u.id);
};

/** Waits until `who` finds `target` by `q` (or, with `present` false, stops finding it). */
const waitForUser = (who: TestUser | { accessToken: string; id: string }, q: string, target: string, present = true) =>
  waitFor(async () => ((await userIds(who, q)).includes(target) === present ? true : undefined), 8000, `user ${target} ${present ? '' : 'not '}found by ${q}`);

describe('user search', () => {
  it('when searching by a username prefix or part of a display name, then the user is found, exact username first', async () => {
    const [u] = await newUsers(stack, 1);
    const name = word('Zed');
    expect((await as(stack, u).patch('/users/me', { displayName: `Doctor ${name} Who` })).status).toBe(200);
    await waitForUser(viewer, u.username.slice(0, -2), u.id);
    await waitForUser(viewer, name.slice(2, 9).toLowerCase(), u.id);
    const res = await search(stack, viewer, '/search/users', { q: `@${u.username}` });
    expect(res.body.data[0]).toMatchObject({ id: u.id, username: u.username, displayName: `Doctor ${name} Who` });
    expect(res.body.data[0].snippet).toContain(`<mark>${u.username}</mark>`);
  });

  it('when either user blocked the other, then neither finds the other', async () => {
    const [blocker, pest] = await newUsers(stack, 2);
    await waitForUser(viewer, pest.username, pest.id);
    expect((await as(stack, blocker).post('/users/me/blocked', { userId: pest.id })).status).toBe(201);
    expect(await userIds(blocker, pest.username)).toEqual([]);
    expect(await userIds(pest, blocker.username)).toEqual([]);
    expect(await userIds(viewer, pest.username)).toEqual([pest.id]);
  });

  it('when a user is of another app, then they are never found', async () => {
    const stranger = await newAppUser(stack);
    const [local] = await newUsers(stack, 1);
    await waitForUser(viewer, local.username, local.id);
    expect(await userIds(stranger, local.username)).toEqual([]);
    expect(await userIds(stranger, 'user_')).toEqual([]);
  });

  it('when an account is deleted, then it is no longer found', async () => {
    const [gone] = await newUsers(stack, 1);
    await waitForUser(viewer, gone.username, gone.id);
    expect((await as(stack, gone).delete('/users/me', { password: gone.password })).status).toBe(204);
    await waitForUser(viewer, gone.username, gone.id, false);
  });

  it('when searching by a verified email, then the user is found only while they allow discovery by email', async () => {
    const [u] = await newUsers(stack, 1);
    const mail = await waitForMail(stack.isolation.env.MAILBOX_DIR!, u.email, /Confirm/);
    expect((await stack.api.post('/api/v1/auth/verify-email', { token: mail.token })).status).toBe(204);
    await waitForUser(viewer, u.email.toUpperCase(), u.id);
    expect((await as(stack, u).patch('/users/me/settings', { privacy: { discoverableByEmail: false } })).status).toBe(200);
    expect(await userIds(viewer, u.email)).toEqual([]);
    // A part of an address finds nobody: addresses match whole only.
    expect(await userIds(viewer, u.email.slice(0, -3))).not.toContain(u.id);
  });
});

describe('user search by phone', () => {
  it("when someone registers a victim's number, then searching the number finds nobody; once the victim verifies it, the victim and only the victim", async () => {
    const phone = `+4478${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    const squatter = await registerUser(stack.api, { phone });
    const victim = await registerUser(stack.api, { phone });
    await waitForUser(viewer, squatter.username, squatter.id);
    await waitForUser(viewer, victim.username, victim.id);
    expect(await userIds(viewer, phone)).toEqual([]);

    expect((await stack.api.post('/api/v1/auth/verify-phone/start', undefined, { token: victim.accessToken })).status).toBe(202);
    const { code } = await waitForSms(stack.env.SMS_OUTBOX_DIR!, phone);
    expect((await stack.api.post('/api/v1/auth/verify-phone', { code }, { token: victim.accessToken })).status).toBe(204);
    await waitForUser(viewer, phone, victim.id);
    expect(await userIds(viewer, phone)).toEqual([victim.id]);
  });
});

describe('chat search', () => {
  it('when a chat is public, then every user of the app finds it; a private one only its members', async () => {
    const [owner] = await newUsers(stack, 1);
    const tag = word('club');
    const pub = await newGroup(stack, owner, [], { name: `Public ${tag}`, isPublic: true, description: 'weekly meetups' });
    const priv = await newGroup(stack, owner, [], { name: `Private ${tag}` });
    const ids = async (who: TestUser | { accessToken: string; id: string }, q: string) =>
      (await search(stack, who, '/search/chats', { q })).body.data.map((c: { id: string }) => c.id);
    await waitFor(async () => ((await ids(owner, tag)).length === 2 ? true : undefined), 8000, 'both chats indexed');
    expect((await ids(owner, tag)).sort()).toEqual([pub.id, priv.id].sort());
    expect(await ids(viewer, tag)).toEqual([pub.id]);
    const res = await search(stack, viewer, '/search/chats', { q: `${tag} meetups` });
    expect(res.body.data[0]).toMatchObject({ id: pub.id, type: 'group', isPublic: true, isMember: false, memberCount: 1 });
    expect(res.body.data[0].snippet).toContain(`<mark>${tag}</mark>`);
    expect(await ids(await newAppUser(stack), tag)).toEqual([]);
  });

  it('when a chat is renamed or made private, then search follows', async () => {
    const [owner] = await newUsers(stack, 1);
    const [before, after] = [word('old'), word('new')];
    const chat = await newGroup(stack, owner, [], { name: before, isPublic: true });
    const found = async (q: string) => (await search(stack, viewer, '/search/chats', { q })).body.data.map((c: { id: string }) => c.id);
    await waitFor(async () => ((await found(before)).includes(chat.id) ? true : undefined), 8000, 'chat indexed');
    expect((await as(stack, owner).patch(`/chats/${chat.id}`, { name: after })).status).toBe(200);
    await waitFor(async () => ((await found(after)).includes(chat.id) ? true : undefined), 8000, 'rename indexed');
    expect(await found(before)).toEqual([]);
    expect((await as(stack, owner).patch(`/chats/${chat.id}`, { isPublic: false })).status).toBe(200);
    await waitFor(async () => ((await found(after)).length === 0 ? true : undefined), 8000, 'made private');
  });
});

describe('everything at once', () => {
  it('when searching without a type, then users, chats and messages come back together; with a type, only that kind', async () => {
    const [owner] = await newUsers(stack, 1);
    const tag = word('all');
    expect((await as(stack, owner).patch('/users/me', { displayName: `Person ${tag}` })).status).toBe(200);
    const chat = await newGroup(stack, owner, [], { name: `Room ${tag}` });
    const m = await send(stack, owner, chat.id, `note ${tag}`);
    const res = await waitFor(
      async () => {
        const r = await search(stack, owner, '/search', { q: tag });
        return r.body.users?.data.length && r.body.chats?.data.length && r.body.messages?.data.length ? r : undefined;
      },
      8000,
      'all three kinds',
    );
    expect(res.body.users.data[0].id).toBe(owner.id);
    expect(res.body.chats.data[0].id).toBe(chat.id);
    expect(res.body.messages.data[0].id).toBe(m.id);
    const only = await search(stack, owner, '/search', { q: tag, type: 'messages' });
    expect(Object.keys(only.body)).toEqual(['messages']);
    expect((await search(stack, owner, '/search', { q: tag, cursor: 'abc' })).status).toBe(400);
  });
});
