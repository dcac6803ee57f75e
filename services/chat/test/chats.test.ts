import type { Stack } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EventLog, as, expectInvalid, expectProblem, memberIds, newGroup, newUser, newUsers, watchEvents } from './helpers.js';
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

describe('creating and reading chats', () => {
  it('when a group is created with members, then 201, the creator is owner, the others members, and chat.chat.created lists them', async () => {
    const [owner, a, b] = await newUsers(stack, 3);
    const res = await as(stack, owner).post('/chats', {
      type: 'group',
      name: ' Friends ',
      description: 'weekend plans',
      memberIds: [a.id, b.id, a.id, owner.id],
    });

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      type: 'group',
      name: 'Friends',
      description: 'weekend plans',
      isPublic: false,
      memberCount: 3,
      myRole: 'owner',
      createdBy: owner.id,
    });
    expect(res.body).toMatchObject({ lastMessage: null, lastSeq: 0, unreadCount: 0, muted: false, pinned: false, archived: false, peerId: null });
    const members = (await as(stack, owner).get(`/chats/${res.body.id}/members`)).body.data;
    expect(Object.fromEntries(members.map((m: { userId: string; role: string }) => [m.userId, m.role]))).toEqual({
      [owner.id]: 'owner',
      [a.id]: 'member',
      [b.id]: 'member',
    });
    const created = await log.waitFor('chat.chat.created', { chatId: res.body.id });
    expect(created).toMatchObject({ appId: owner.appId, data: { chat: { id: res.body.id, type: 'group', name: 'Friends' } } });
    expect(created.data.members).toHaveLength(3);
  });

  it('when a member reads the chat, then it carries their own role and settings', async () => {
    const [owner, member] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner, [member]);
    const res = await as(stack, member).get(`/chats/${chat.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: chat.id, myRole: 'member', memberCount: 2 });
  });

  it('when a channel is created, then the creator owns it and it is broadcast-only for members', async () => {
    const [owner, reader] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner, [reader], { type: 'channel', name: 'News', isPublic: true });
    expect(chat).toMatchObject({ type: 'channel', isPublic: true, myRole: 'owner' });
    const authz = await log.rpc('rpc.chat.authorize', { appId: owner.appId, chatId: chat.id, userId: reader.id, action: 'post' });
    expect(authz.data).toMatchObject({ allowed: false, denial: 'forbidden', role: 'member' });
  });

  it('when the body has unknown fields or bad values, then 400 naming them', async () => {
    const owner = await newUser(stack);
    expectInvalid(await as(stack, owner).post('/chats', { type: 'group', name: 'x', color: 'red' }), 'color');
    expectInvalid(await as(stack, owner).post('/chats', { type: 'room' }), 'type');
    expectInvalid(await as(stack, owner).post('/chats', { type: 'group', memberIds: ['not-a-uuid'] }), 'memberIds.0');
    expectInvalid(await as(stack, owner).post('/chats', { type: 'channel', name: 'x', membersCanAdd: true }), 'membersCanAdd');
  });

  it('when a member lists members of a group with an unknown user id, then 404 naming it', async () => {
    const owner = await newUser(stack);
    const res = await as(stack, owner).post('/chats', { type: 'group', name: 'x', memberIds: [crypto.randomUUID()] });
    expectProblem(res, 404, 'not_found');
    expect(res.body.errors).toEqual([{ path: 'memberIds.0', message: 'no such user' }]);
  });
});

describe('GET /chats', () => {
  it('when chats are created, updated and joined, then the list is in order of the caller’s latest activity', async () => {
    const [me, other] = await newUsers(stack, 2);
    const first = await newGroup(stack, me, [], { name: 'first' });
    const second = await newGroup(stack, me, [], { name: 'second' });
    const theirs = await newGroup(stack, other, [], { name: 'theirs' });
    const ids = async () => (await as(stack, me).get('/chats')).body.data.map((c: { id: string }) => c.id);
    expect(await ids()).toEqual([second.id, first.id]);

    expect((await as(stack, me).patch(`/chats/${first.id}`, { description: 'bumped' })).status).toBe(200);
    expect(await ids()).toEqual([first.id, second.id]);

    expect((await as(stack, other).post(`/chats/${theirs.id}/members`, { userIds: [me.id] })).status).toBe(201);
    expect(await ids()).toEqual([theirs.id, first.id, second.id]);
  });

  it('when the list is paged, then every chat comes exactly once', async () => {
    const me = await newUser(stack);
    const created = [];
    for (let i = 0; i < 5; i++) created.push((await newGroup(stack, me, [], { name: `g${i}` })).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await as(stack, me).get(`/chats?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.data.map((c: { id: string }) => c.id));
      cursor = page.body.page.nextCursor;
      expect(page.body.page.hasMore).toBe(cursor !== null);
    } while (cursor);
    expect(seen).toEqual([...created].reverse());
  });

  it('when the cursor is made up, then 400', async () => {
    const me = await newUser(stack);
    for (const cursor of [
      'garbage',
      Buffer.from('["x","y"]').toString('base64url'),
      Buffer.from('["1e99","00000000-0000-7000-8000-000000000001"]').toString('base64url'),
    ]) {
      expectInvalid(await as(stack, me).get(`/chats?cursor=${cursor}`), 'query.cursor');
    }
    expectInvalid(await as(stack, me).get('/chats?sort=name'), 'query.sort');
  });
});

describe('updating and deleting', () => {
  it('when the owner updates the info, then 200 and chat.chat.updated names what changed', async () => {
    const owner = await newUser(stack);
    const chat = await newGroup(stack, owner);
    const res = await as(stack, owner).patch(`/chats/${chat.id}`, { name: 'Renamed', description: '', isPublic: false });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'Renamed', description: null });
    const event = await log.waitFor('chat.chat.updated', { by: owner.id });
    expect(event.data).toMatchObject({ chat: { id: chat.id, name: 'Renamed' }, changed: ['name'] });
  });

  it('when the owner deletes the chat, then 204, nobody can read it any more, and chat.chat.deleted is published', async () => {
    const [owner, member] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner, [member]);
    expect((await as(stack, owner).delete(`/chats/${chat.id}`)).status).toBe(204);
    expectProblem(await as(stack, owner).get(`/chats/${chat.id}`), 404, 'not_found');
    expectProblem(await as(stack, member).get(`/chats/${chat.id}`), 404, 'not_found');
    expect((await as(stack, member).get('/chats')).body.data).toEqual([]);
    await log.waitFor('chat.chat.deleted', { chatId: chat.id, by: owner.id });
  });

  it('when an admin tries to delete the chat, then 403 and it stays', async () => {
    const [owner, admin] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner, [admin]);
    expect((await as(stack, owner).patch(`/chats/${chat.id}/members/${admin.id}`, { role: 'admin' })).status).toBe(200);
    expectProblem(await as(stack, admin).delete(`/chats/${chat.id}`), 403, 'forbidden');
    expect(await memberIds(stack, owner, chat.id)).toEqual([owner.id, admin.id].sort());
  });
});
