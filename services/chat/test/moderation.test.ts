import type { Stack } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EventLog, as, closeDatabases, database, expectInvalid, expectProblem, memberIds, newGroup, newUsers, setRole, watchEvents } from './helpers.js';
import { startChatStack } from './stack.js';

let stack: Stack;
let log: EventLog;
beforeAll(async () => {
  stack = await startChatStack();
  log = await watchEvents(stack);
});
afterAll(async () => {
  await log?.close();
  await closeDatabases();
  await stack?.stop();
});

const authorize = async (appId: string, chatId: string, userId: string, action = 'post') =>
  (await log.rpc('rpc.chat.authorize', { appId, chatId, userId, action })).data;

describe('bans', () => {
  it('when a member is banned, then they are out at once, cannot come back by any door, and banned + removed events are published', async () => {
    const [owner, troll, friend] = await newUsers(stack, 3);
    const chat = await newGroup(stack, owner, [troll, friend], { isPublic: true, name: 'Banned from here' });
    const res = await as(stack, owner).post(`/chats/${chat.id}/bans`, { userId: troll.id, reason: 'spam' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ chatId: chat.id, userId: troll.id, reason: 'spam', expiresAt: null, shadow: false, bannedBy: owner.id });
    expectProblem(await as(stack, troll).get(`/chats/${chat.id}`), 404, 'not_found');
    expectProblem(await as(stack, troll).post(`/chats/${chat.id}/join`), 403, 'banned');
    const { code } = (await as(stack, owner).post(`/chats/${chat.id}/invite-links`, {})).body;
    expectProblem(await as(stack, troll).post('/chats/join', { code }), 403, 'banned');
    const readd = await as(stack, owner).post(`/chats/${chat.id}/members`, { userIds: [troll.id] });
    expectProblem(readd, 403, 'forbidden');
    expect(readd.body.errors).toEqual([{ path: 'userIds.0', message: 'this user is banned from the chat' }]);
    expect(await authorize(owner.appId, chat.id, troll.id, 'read')).toMatchObject({ allowed: false, denial: 'banned', banned: true, role: null });
    expect((await log.waitFor('chat.member.banned', { chatId: chat.id, userId: troll.id })).data).toMatchObject({
      reason: 'spam',
      shadow: false,
      by: owner.id,
    });
    expect((await log.waitFor('chat.member.removed', { chatId: chat.id, userId: troll.id })).data.reason).toBe('banned');
  });

  it('when the same user is banned again, then 200 and the ban is replaced', async () => {
    const [owner, troll] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner, [troll]);
    expect((await as(stack, owner).post(`/chats/${chat.id}/bans`, { userId: troll.id })).status).toBe(201);
    const again = await as(stack, owner).post(`/chats/${chat.id}/bans`, { userId: troll.id, reason: 'still at it' });
    expect(again.status).toBe(200);
    expect(again.body.reason).toBe('still at it');
  });

  it('when a timed ban runs out, then the user may join again', async () => {
    const [owner, troll] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner, [], { isPublic: true, name: 'Timeout corner' });
    const expiresAt = new Date(Date.now() + 3600_000).toISOString();
    expect((await as(stack, owner).post(`/chats/${chat.id}/bans`, { userId: troll.id, expiresAt })).body.expiresAt).toBe(expiresAt);
    expectProblem(await as(stack, troll).post(`/chats/${chat.id}/join`), 403, 'banned');
    // The hour passes.
    await database(stack).none("UPDATE chat.bans SET expires_at = now() - interval '1 second' WHERE user_id = $1", [troll.id]);
    expect((await as(stack, troll).post(`/chats/${chat.id}/join`)).status).toBe(200);
  });

  it('when a ban is lifted, then 204, chat.member.unbanned, the user may join again; lifting it twice is 404', async () => {
    const [owner, troll] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner, [], { isPublic: true, name: 'Second chances' });
    expect((await as(stack, owner).post(`/chats/${chat.id}/bans`, { userId: troll.id })).status).toBe(201);
    expect((await as(stack, owner).delete(`/chats/${chat.id}/bans/${troll.id}`)).status).toBe(204);
    expectProblem(await as(stack, owner).delete(`/chats/${chat.id}/bans/${troll.id}`), 404, 'not_found');
    expect((await as(stack, troll).post(`/chats/${chat.id}/join`)).status).toBe(200);
    await log.waitFor('chat.member.unbanned', { chatId: chat.id, userId: troll.id });
  });

  it('when a member is shadow-banned, then they stay in and rpc.chat.authorize lets them post as shadow-banned', async () => {
    const [owner, sneaky] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner, [sneaky]);
    expect((await as(stack, owner).post(`/chats/${chat.id}/bans`, { userId: sneaky.id, shadow: true })).status).toBe(201);
    expect((await as(stack, sneaky).get(`/chats/${chat.id}`)).status).toBe(200);
    expect(await authorize(owner.appId, chat.id, sneaky.id)).toMatchObject({ allowed: true, shadowBanned: true, banned: false, role: 'member' });
  });

  it('when a moderator bans an admin or the owner, or anyone bans themselves, then 403', async () => {
    const [owner, admin, mod] = await newUsers(stack, 3);
    const chat = await newGroup(stack, owner, [admin, mod]);
    await setRole(stack, owner, chat.id, admin.id, 'admin');
    await setRole(stack, owner, chat.id, mod.id, 'moderator');
    expectProblem(await as(stack, mod).post(`/chats/${chat.id}/bans`, { userId: admin.id }), 403, 'forbidden');
    expectProblem(await as(stack, admin).post(`/chats/${chat.id}/bans`, { userId: owner.id }), 403, 'forbidden');
    expectProblem(await as(stack, owner).post(`/chats/${chat.id}/bans`, { userId: owner.id }), 403, 'forbidden');
    expect(await memberIds(stack, owner, chat.id)).toHaveLength(3);
  });

  it('when a user who is not a member is banned, then it holds; an unknown user is 404; a past expiry 400', async () => {
    const [owner, later] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner, [], { isPublic: true, name: 'Pre-emptive' });
    expect((await as(stack, owner).post(`/chats/${chat.id}/bans`, { userId: later.id })).status).toBe(201);
    expectProblem(await as(stack, later).post(`/chats/${chat.id}/join`), 403, 'banned');
    expectProblem(await as(stack, owner).post(`/chats/${chat.id}/bans`, { userId: crypto.randomUUID() }), 404, 'not_found');
    expectInvalid(await as(stack, owner).post(`/chats/${chat.id}/bans`, { userId: later.id, expiresAt: '2001-01-01T00:00:00Z' }), 'expiresAt');
  });
});

describe('freeze, slow mode and truncation', () => {
  it('when an admin freezes the chat, then posts are refused with chat_frozen until unfrozen, with an event each way', async () => {
    const [owner, admin, m] = await newUsers(stack, 3);
    const chat = await newGroup(stack, owner, [admin, m]);
    await setRole(stack, owner, chat.id, admin.id, 'admin');
    expect((await as(stack, admin).patch(`/chats/${chat.id}/moderation`, { frozen: true })).body.frozen).toBe(true);
    expect(await authorize(owner.appId, chat.id, m.id)).toMatchObject({ allowed: false, denial: 'chat_frozen', frozen: true });
    expect(await authorize(owner.appId, chat.id, m.id, 'read')).toMatchObject({ allowed: true });
    await log.waitFor('chat.chat.frozen', { chatId: chat.id, by: admin.id });
    expect((await as(stack, admin).patch(`/chats/${chat.id}/moderation`, { frozen: false })).body.frozen).toBe(false);
    expect(await authorize(owner.appId, chat.id, m.id)).toMatchObject({ allowed: true, frozen: false });
    await log.waitFor('chat.chat.unfrozen', { chatId: chat.id, by: admin.id });
  });

  it('when slow mode is set, then the window is reported, admins are exempt, and chat.chat.updated names it', async () => {
    const [owner, m] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner, [m]);
    expect((await as(stack, owner).patch(`/chats/${chat.id}/moderation`, { slowModeSeconds: 30 })).body.slowModeSeconds).toBe(30);
    expect(await authorize(owner.appId, chat.id, m.id)).toMatchObject({ allowed: true, slowModeSeconds: 30, slowModeExempt: false });
    expect(await authorize(owner.appId, chat.id, owner.id)).toMatchObject({ slowModeSeconds: 30, slowModeExempt: true });
    const event = await log.waitFor('chat.chat.updated', { chatId: chat.id });
    expect(event.data).toMatchObject({ changed: ['slowModeSeconds'], chat: { slowModeSeconds: 30 } });
    expectInvalid(await as(stack, owner).patch(`/chats/${chat.id}/moderation`, { slowModeSeconds: -1 }), 'slowModeSeconds');
    expectInvalid(await as(stack, owner).patch(`/chats/${chat.id}/moderation`, {}), '');
  });

  it('when the owner truncates, then history before now is hidden for everyone and chat.chat.truncated carries the time', async () => {
    const [owner, m] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner, [m]);
    const before = Date.now();
    const res = await as(stack, owner).post(`/chats/${chat.id}/truncate`);
    expect(res.status).toBe(200);
    expect(new Date(res.body.truncatedAt).getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect((await as(stack, m).get(`/chats/${chat.id}`)).body.truncatedAt).toBe(res.body.truncatedAt);
    expect(await authorize(owner.appId, chat.id, m.id, 'read')).toMatchObject({ truncatedAt: res.body.truncatedAt });
    expect((await log.waitFor('chat.chat.truncated', { chatId: chat.id })).data).toEqual({ chatId: chat.id, truncatedAt: res.body.truncatedAt, by: owner.id });
  });
});
