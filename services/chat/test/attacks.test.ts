import type { Stack } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EventLog, as, expectInvalid, expectProblem, memberIds, newAppUser, newGroup, newUsers, setRole, watchEvents } from './helpers.js';
import { startChatStack } from './stack.js';

let stack: Stack;
let log: EventLog;
beforeAll(async () => {
  stack = await startChatStack();
  log = await watchEvents(stack);
});
afterAll(async () => {
  await log?.close();
  await stack?.stop();
});

/** Every chat route that names a chat, with a body that would pass validation. */
function chatRoutes(chatId: string, userId: string): [string, string, unknown?][] {
  return [
    ['GET', `/chats/${chatId}`],
    ['PATCH', `/chats/${chatId}`, { name: 'mine now' }],
    ['DELETE', `/chats/${chatId}`],
    ['GET', `/chats/${chatId}/members`],
    ['POST', `/chats/${chatId}/members`, { userIds: [userId] }],
    ['PATCH', `/chats/${chatId}/members/${userId}`, { role: 'admin' }],
    ['DELETE', `/chats/${chatId}/members/${userId}`],
    ['POST', `/chats/${chatId}/leave`],
    ['POST', `/chats/${chatId}/invite-links`, {}],
    ['DELETE', `/chats/${chatId}/invite-links/AAAAAAAAAAAAAAAAAAAAAA`],
    ['POST', `/chats/${chatId}/join`],
    ['PUT', `/chats/${chatId}/settings`, { pinned: true }],
    ['POST', `/chats/${chatId}/bans`, { userId }],
    ['DELETE', `/chats/${chatId}/bans/${userId}`],
    ['PATCH', `/chats/${chatId}/moderation`, { frozen: true }],
    ['POST', `/chats/${chatId}/truncate`],
  ];
}

describe('outsiders', () => {
  it('when an outsider reads or acts on a private chat, then 404 on every route, as for a chat that does not exist', async () => {
    const [owner, member, outsider] = await newUsers(stack, 3);
    const chat = await newGroup(stack, owner, [member]);
    for (const chatId of [chat.id, crypto.randomUUID()]) {
      for (const [method, path, body] of chatRoutes(chatId, member.id)) {
        const res = await stack.api.request(method, `/api/v1${path}`, { token: outsider.accessToken, body });
        expectProblem(res, 404, 'not_found');
        expect(res.body.detail, `${method} ${path}`).toBe('chat not found');
      }
    }
    expect(await memberIds(stack, owner, chat.id)).toEqual([owner.id, member.id].sort());
    expect((await as(stack, owner).get(`/chats/${chat.id}`)).body).toMatchObject({ name: 'Group', frozen: false, truncatedAt: null });
  });

  it('when a user of another app reads, joins or is added to a chat, then 404', async () => {
    const owner = (await newUsers(stack, 1))[0]!;
    const foreign = await newAppUser(stack);
    const chat = await newGroup(stack, owner, [], { isPublic: true, name: 'Open to this app' });
    expectProblem(await as(stack, foreign).get(`/chats/${chat.id}`), 404, 'not_found');
    expectProblem(await as(stack, foreign).post(`/chats/${chat.id}/join`), 404, 'not_found');
    expect((await as(stack, foreign).get('/chats/public')).body.data).toEqual([]);
    expectProblem(await as(stack, owner).post(`/chats/${chat.id}/members`, { userIds: [foreign.id] }), 404, 'not_found');
    expectProblem(await as(stack, owner).post('/chats', { type: 'group', name: 'x', memberIds: [foreign.id] }), 404, 'not_found');
    const authz = await log.rpc('rpc.chat.authorize', { appId: foreign.appId, chatId: chat.id, userId: owner.id, action: 'read' });
    expect(authz.data).toMatchObject({ allowed: false, denial: 'not_found', chatType: null });
  });
});

describe('members reaching above their role', () => {
  it('when a plain member tries any admin action, then 403 and nothing changes', async () => {
    const [owner, member, other, newcomer] = await newUsers(stack, 4);
    const chat = await newGroup(stack, owner, [member, other]);
    const me = as(stack, member);
    expectProblem(await me.patch(`/chats/${chat.id}`, { name: 'hijacked' }), 403, 'forbidden');
    expectProblem(await me.delete(`/chats/${chat.id}`), 403, 'forbidden');
    expectProblem(await me.post(`/chats/${chat.id}/members`, { userIds: [newcomer.id] }), 403, 'forbidden');
    expectProblem(await me.delete(`/chats/${chat.id}/members/${other.id}`), 403, 'forbidden');
    expectProblem(await me.patch(`/chats/${chat.id}/members/${other.id}`, { role: 'moderator' }), 403, 'forbidden');
    expectProblem(await me.post(`/chats/${chat.id}/invite-links`, {}), 403, 'forbidden');
    expectProblem(await me.post(`/chats/${chat.id}/bans`, { userId: other.id }), 403, 'forbidden');
    expectProblem(await me.patch(`/chats/${chat.id}/moderation`, { frozen: true }), 403, 'forbidden');
    expectProblem(await me.post(`/chats/${chat.id}/truncate`), 403, 'forbidden');
    expect((await as(stack, owner).get(`/chats/${chat.id}`)).body).toMatchObject({ name: 'Group', memberCount: 3, frozen: false, truncatedAt: null });
  });

  it('when a member promotes themselves, or an admin makes themselves owner, then 403', async () => {
    const [owner, member, admin] = await newUsers(stack, 3);
    const chat = await newGroup(stack, owner, [member, admin]);
    await setRole(stack, owner, chat.id, admin.id, 'admin');
    for (const role of ['admin', 'owner', 'moderator'])
      expectProblem(await as(stack, member).patch(`/chats/${chat.id}/members/${member.id}`, { role }), 403, 'forbidden');
    expectProblem(await as(stack, admin).patch(`/chats/${chat.id}/members/${admin.id}`, { role: 'owner' }), 403, 'forbidden');
    expect((await as(stack, member).get(`/chats/${chat.id}`)).body.myRole).toBe('member');
    expect((await as(stack, admin).get(`/chats/${chat.id}`)).body.myRole).toBe('admin');
  });

  it('when a channel reader lists members or a moderator changes roles, then 403', async () => {
    const [owner, reader, mod] = await newUsers(stack, 3);
    const channel = await newGroup(stack, owner, [reader, mod], { type: 'channel', name: 'News' });
    await setRole(stack, owner, channel.id, mod.id, 'moderator');
    expectProblem(await as(stack, reader).get(`/chats/${channel.id}/members`), 403, 'forbidden');
    expectProblem(await as(stack, mod).patch(`/chats/${channel.id}/members/${reader.id}`, { role: 'member' }), 403, 'forbidden');
  });
});

describe('losing access', () => {
  it('when a member is removed, then the very next request about the chat is 404 and rpc.chat.authorize says not_found', async () => {
    const [owner, m] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner, [m]);
    expect((await as(stack, m).get(`/chats/${chat.id}`)).status).toBe(200);
    expect((await as(stack, owner).delete(`/chats/${chat.id}/members/${m.id}`)).status).toBe(204);
    expectProblem(await as(stack, m).get(`/chats/${chat.id}`), 404, 'not_found');
    expectProblem(await as(stack, m).get(`/chats/${chat.id}/members`), 404, 'not_found');
    expectProblem(await as(stack, m).put(`/chats/${chat.id}/settings`, { pinned: true }), 404, 'not_found');
    expect((await as(stack, m).get('/chats')).body.data).toEqual([]);
    const authz = await log.rpc('rpc.chat.authorize', { appId: m.appId, chatId: chat.id, userId: m.id, action: 'read' });
    expect(authz.data).toMatchObject({ allowed: false, denial: 'not_found' });
  });
});

describe('adding people who do not want it', () => {
  it('when the user to add blocked the adder, then 403 naming them, and nobody of the request is added', async () => {
    const [owner, blocker, fine] = await newUsers(stack, 3);
    expect((await as(stack, blocker).post('/users/me/blocked', { userId: owner.id })).status).toBe(201);
    const chat = await newGroup(stack, owner);
    const res = await as(stack, owner).post(`/chats/${chat.id}/members`, { userIds: [fine.id, blocker.id] });
    expectProblem(res, 403, 'forbidden');
    expect(res.body.errors).toEqual([{ path: 'userIds.1', message: 'this user cannot be added by you' }]);
    expect(await memberIds(stack, owner, chat.id)).toEqual([owner.id]);
    expectProblem(await as(stack, owner).post('/chats', { type: 'group', name: 'x', memberIds: [blocker.id] }), 403, 'forbidden');
  });

  it('when the adder blocked the user, then 403 too', async () => {
    const [owner, pest] = await newUsers(stack, 2);
    expect((await as(stack, owner).post('/users/me/blocked', { userId: pest.id })).status).toBe(201);
    const chat = await newGroup(stack, owner);
    expectProblem(await as(stack, owner).post(`/chats/${chat.id}/members`, { userIds: [pest.id] }), 403, 'forbidden');
  });

  it('when the user allows additions only from contacts, then a stranger gets 403 and a contact may add them', async () => {
    const [picky, stranger, friend] = await newUsers(stack, 3);
    expect((await as(stack, picky).patch('/users/me/settings', { privacy: { addToGroups: 'contacts' } })).status).toBe(200);
    expect((await as(stack, picky).post('/users/me/contacts', { userId: friend.id })).status).toBe(201);
    const strangers = await newGroup(stack, stranger);
    expectProblem(await as(stack, stranger).post(`/chats/${strangers.id}/members`, { userIds: [picky.id] }), 403, 'forbidden');
    const friends = await newGroup(stack, friend);
    expect((await as(stack, friend).post(`/chats/${friends.id}/members`, { userIds: [picky.id] })).status).toBe(201);
  });
});

describe('input', () => {
  it('when bodies carry unknown fields, then 400 naming the field on every route with a body', async () => {
    const [owner, m] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner, [m]);
    const me = as(stack, owner);
    expectInvalid(await me.patch(`/chats/${chat.id}`, { name: 'x', ownerId: m.id }), 'ownerId');
    expectInvalid(await me.post(`/chats/${chat.id}/members`, { userIds: [m.id], force: true }), 'force');
    expectInvalid(await me.patch(`/chats/${chat.id}/members/${m.id}`, { role: 'admin', permissions: ['all'] }), 'permissions');
    expectInvalid(await me.post(`/chats/${chat.id}/invite-links`, { uses: 0 }), 'uses');
    expectInvalid(await me.post('/chats/join', { code: 'AAAAAAAAAAAAAAAAAAAAAA', chatId: chat.id }), 'chatId');
    expectInvalid(await me.put(`/chats/${chat.id}/settings`, { pinned: true, role: 'owner' }), 'role');
    expectInvalid(await me.post(`/chats/${chat.id}/bans`, { userId: m.id, permanent: true }), 'permanent');
    expectInvalid(await me.patch(`/chats/${chat.id}/moderation`, { frozen: true, shadow: true }), 'shadow');
    expectInvalid(await me.patch(`/chats/${chat.id}/members/${m.id}`, { role: 'god' }), 'role');
    expectInvalid(await me.get('/chats/not-a-uuid'), 'params.id');
  });
});
