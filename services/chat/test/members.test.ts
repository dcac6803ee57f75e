import type { Stack } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EventLog, as, closeDatabases, database, expectProblem, memberIds, newGroup, newUsers, setRole, watchEvents } from './helpers.js';
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

const roles = async (viewer: { id: string; accessToken: string }, chatId: string) =>
  Object.fromEntries((await as(stack, viewer).get(`/chats/${chatId}/members`)).body.data.map((m: { userId: string; role: string }) => [m.userId, m.role]));

describe('adding members', () => {
  it('when the owner adds users, then 201 with their memberships and one chat.member.added each', async () => {
    const [owner, a, b] = await newUsers(stack, 3);
    const chat = await newGroup(stack, owner);
    const res = await as(stack, owner).post(`/chats/${chat.id}/members`, { userIds: [a.id, b.id] });
    expect(res.status).toBe(201);
    expect(res.body.members.map((m: { userId: string; role: string }) => [m.userId, m.role]).sort()).toEqual(
      [
        [a.id, 'member'],
        [b.id, 'member'],
      ].sort(),
    );
    expect((await as(stack, a).get(`/chats/${chat.id}`)).body).toMatchObject({ myRole: 'member', memberCount: 3 });
    const event = await log.waitFor('chat.member.added', { chatId: chat.id, userId: a.id });
    expect(event.data).toEqual({ chatId: chat.id, userId: a.id, role: 'member', via: 'added', by: owner.id });
  });

  it('when someone already in the chat is added again, then nothing changes and no event is published', async () => {
    const [owner, a, b] = await newUsers(stack, 3);
    const chat = await newGroup(stack, owner, [a]);
    const res = await as(stack, owner).post(`/chats/${chat.id}/members`, { userIds: [a.id, b.id] });
    expect(res.status).toBe(201);
    await log.waitFor('chat.member.added', { chatId: chat.id, userId: b.id });
    expect(log.about('chat.member.added', chat.id).map((e) => e.data.userId)).toEqual([b.id]);
    expect((await as(stack, a).get(`/chats/${chat.id}`)).body.memberCount).toBe(3);
  });

  it('when the owner adds with a role, then admins may grant only roles below their own', async () => {
    const [owner, admin, x, y] = await newUsers(stack, 4);
    const chat = await newGroup(stack, owner, [admin]);
    await setRole(stack, owner, chat.id, admin.id, 'admin');
    expectProblem(await as(stack, admin).post(`/chats/${chat.id}/members`, { userIds: [x.id], role: 'admin' }), 403, 'forbidden');
    expect((await as(stack, admin).post(`/chats/${chat.id}/members`, { userIds: [x.id], role: 'moderator' })).status).toBe(201);
    expect((await as(stack, owner).post(`/chats/${chat.id}/members`, { userIds: [y.id], role: 'admin' })).status).toBe(201);
    expect(await roles(owner, chat.id)).toMatchObject({ [x.id]: 'moderator', [y.id]: 'admin' });
  });

  it('when a group lets members add, then a member adds plain members only', async () => {
    const [owner, member, x, y] = await newUsers(stack, 4);
    const chat = await newGroup(stack, owner, [member], { membersCanAdd: true });
    expect((await as(stack, member).post(`/chats/${chat.id}/members`, { userIds: [x.id] })).status).toBe(201);
    expectProblem(await as(stack, member).post(`/chats/${chat.id}/members`, { userIds: [y.id], role: 'moderator' }), 403, 'forbidden');
  });
});

describe('roles', () => {
  it('when the owner promotes a member, then the role changes and chat.member.role_changed says from what', async () => {
    const [owner, m] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner, [m]);
    const res = await as(stack, owner).patch(`/chats/${chat.id}/members/${m.id}`, { role: 'admin' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ userId: m.id, role: 'admin' });
    const event = await log.waitFor('chat.member.role_changed', { chatId: chat.id, userId: m.id });
    expect(event.data).toEqual({ chatId: chat.id, userId: m.id, role: 'admin', previousRole: 'member', by: owner.id });
  });

  it('when an admin changes roles, then only of those below, and only to roles below admin', async () => {
    const [owner, admin, other, m] = await newUsers(stack, 4);
    const chat = await newGroup(stack, owner, [admin, other, m]);
    await setRole(stack, owner, chat.id, admin.id, 'admin');
    await setRole(stack, owner, chat.id, other.id, 'admin');
    expect((await as(stack, admin).patch(`/chats/${chat.id}/members/${m.id}`, { role: 'moderator' })).status).toBe(200);
    expectProblem(await as(stack, admin).patch(`/chats/${chat.id}/members/${m.id}`, { role: 'admin' }), 403, 'forbidden');
    expectProblem(await as(stack, admin).patch(`/chats/${chat.id}/members/${other.id}`, { role: 'member' }), 403, 'forbidden');
    expectProblem(await as(stack, admin).patch(`/chats/${chat.id}/members/${owner.id}`, { role: 'member' }), 403, 'forbidden');
    expect(await roles(owner, chat.id)).toEqual({ [owner.id]: 'owner', [admin.id]: 'admin', [other.id]: 'admin', [m.id]: 'moderator' });
  });

  it('when the owner makes someone owner, then ownership passes and the old owner becomes admin', async () => {
    const [owner, heir] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner, [heir]);
    expect((await as(stack, owner).patch(`/chats/${chat.id}/members/${heir.id}`, { role: 'owner' })).status).toBe(200);
    expect(await roles(heir, chat.id)).toEqual({ [owner.id]: 'admin', [heir.id]: 'owner' });
    expect((await as(stack, heir).delete(`/chats/${chat.id}`)).status).toBe(204);
  });

  it('when the target is not a member, then 404', async () => {
    const [owner, stranger] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner);
    expectProblem(await as(stack, owner).patch(`/chats/${chat.id}/members/${stranger.id}`, { role: 'admin' }), 404, 'not_found');
    expectProblem(await as(stack, owner).delete(`/chats/${chat.id}/members/${stranger.id}`), 404, 'not_found');
  });
});

describe('removing and leaving', () => {
  it('when a moderator removes a member, then 204, the member is out and chat.member.removed is published; an admin they cannot remove', async () => {
    const [owner, mod, admin, m] = await newUsers(stack, 4);
    const chat = await newGroup(stack, owner, [mod, admin, m]);
    await setRole(stack, owner, chat.id, mod.id, 'moderator');
    await setRole(stack, owner, chat.id, admin.id, 'admin');
    expect((await as(stack, mod).delete(`/chats/${chat.id}/members/${m.id}`)).status).toBe(204);
    expectProblem(await as(stack, mod).delete(`/chats/${chat.id}/members/${admin.id}`), 403, 'forbidden');
    expect(await memberIds(stack, owner, chat.id)).toEqual([owner.id, mod.id, admin.id].sort());
    const event = await log.waitFor('chat.member.removed', { chatId: chat.id, userId: m.id });
    expect(event.data).toMatchObject({ reason: 'removed', by: mod.id });
  });

  it('when a member leaves, then 204 and chat.member.left is published', async () => {
    const [owner, m] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner, [m]);
    expect((await as(stack, m).post(`/chats/${chat.id}/leave`)).status).toBe(204);
    expectProblem(await as(stack, m).get(`/chats/${chat.id}`), 404, 'not_found');
    const event = await log.waitFor('chat.member.left', { chatId: chat.id, userId: m.id });
    expect(event.data).toEqual({ chatId: chat.id, userId: m.id, reason: 'left', newOwnerId: null });
  });

  it('when a member removes themselves, then it is leaving', async () => {
    const [owner, m] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner, [m]);
    expect((await as(stack, m).delete(`/chats/${chat.id}/members/${m.id}`)).status).toBe(204);
    await log.waitFor('chat.member.left', { chatId: chat.id, userId: m.id });
  });

  it('when the owner leaves, then the oldest admin becomes owner', async () => {
    const [owner, m, olderAdmin, newerAdmin] = await newUsers(stack, 4);
    const chat = await newGroup(stack, owner, [m]);
    for (const u of [olderAdmin, newerAdmin])
      expect((await as(stack, owner).post(`/chats/${chat.id}/members`, { userIds: [u.id], role: 'admin' })).status).toBe(201);
    expect((await as(stack, owner).post(`/chats/${chat.id}/leave`)).status).toBe(204);
    expect(await roles(m, chat.id)).toEqual({ [m.id]: 'member', [olderAdmin.id]: 'owner', [newerAdmin.id]: 'admin' });
    const left = await log.waitFor('chat.member.left', { chatId: chat.id, userId: owner.id });
    expect(left.data.newOwnerId).toBe(olderAdmin.id);
    const handover = await log.waitFor('chat.member.role_changed', { chatId: chat.id, userId: olderAdmin.id, role: 'owner' });
    expect(handover.data).toMatchObject({ previousRole: 'admin', by: null });
  });

  it('when the owner leaves and there is no admin, then the oldest member becomes owner', async () => {
    const [owner, first, second] = await newUsers(stack, 3);
    const chat = await newGroup(stack, owner, [first]);
    expect((await as(stack, owner).post(`/chats/${chat.id}/members`, { userIds: [second.id], role: 'moderator' })).status).toBe(201);
    expect((await as(stack, owner).post(`/chats/${chat.id}/leave`)).status).toBe(204);
    expect(await roles(first, chat.id)).toEqual({ [first.id]: 'owner', [second.id]: 'moderator' });
  });

  it('when the last member leaves, then the chat has no members, keeps its row and history marker, and cannot be joined any more', async () => {
    const [owner, outsider] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner, [], { isPublic: true, name: 'Ghost town' });
    const invite = await as(stack, owner).post(`/chats/${chat.id}/invite-links`, {});
    expect((await as(stack, owner).post(`/chats/${chat.id}/truncate`)).status).toBe(200);
    expect((await as(stack, owner).post(`/chats/${chat.id}/leave`)).status).toBe(204);
    await log.waitFor('chat.member.left', { chatId: chat.id, userId: owner.id });
    expectProblem(await as(stack, outsider).post(`/chats/${chat.id}/join`), 404, 'not_found');
    expectProblem(await as(stack, outsider).post('/chats/join', { code: invite.body.code }), 404, 'not_found');
    expect((await as(stack, outsider).get('/chats/public?q=Ghost')).body.data).toEqual([]);
    const authz = await log.rpc('rpc.chat.authorize', { appId: owner.appId, chatId: chat.id, userId: owner.id, action: 'read' });
    expect(authz.data).toMatchObject({ allowed: false, denial: 'not_found' });
    expect(log.about('chat.chat.deleted', chat.id)).toEqual([]);
    const row = await database(stack).one('SELECT member_count, truncated_at, deleted_at FROM chat.chats WHERE id = $1', [chat.id]);
    expect(row).toEqual({ member_count: 0, truncated_at: expect.any(Date), deleted_at: null });
  });
});
