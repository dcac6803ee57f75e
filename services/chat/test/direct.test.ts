import type { Stack } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EventLog, as, closeDatabases, database, deleteAccount, expectInvalid, expectProblem, newAppUser, newUsers, watchEvents } from './helpers.js';
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

const openDirect = (who: { id: string; accessToken: string }, peerId: string) => as(stack, who).post('/chats', { type: 'direct', memberIds: [peerId] });

describe('direct chats', () => {
  it('when a user opens a direct chat, then 201 with both as members and the other as peer', async () => {
    const [a, b] = await newUsers(stack, 2);
    const res = await openDirect(a, b.id);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ type: 'direct', name: null, memberCount: 2, myRole: 'member', peerId: b.id, isPublic: false });
    const seenByB = await as(stack, b).get(`/chats/${res.body.id}`);
    expect(seenByB.body).toMatchObject({ peerId: a.id, myRole: 'member' });
  });

  it('when either side opens it again, then 200 with the same chat', async () => {
    const [a, b] = await newUsers(stack, 2);
    const first = await openDirect(a, b.id);
    const again = await openDirect(a, b.id);
    const otherSide = await openDirect(b, a.id);
    expect([first.status, again.status, otherSide.status]).toEqual([201, 200, 200]);
    expect(new Set([first.body.id, again.body.id, otherSide.body.id]).size).toBe(1);
  });

  it('when both sides open it at the same moment, many times, then there is still one chat and one chat.chat.created', async () => {
    const [a, b] = await newUsers(stack, 2);
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? openDirect(a, b.id) : openDirect(b, a.id))));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(11);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    const rows = await database(stack).any('SELECT id FROM chat.chats WHERE type = $1 AND $2 IN (direct_low, direct_high)', ['direct', a.id]);
    expect(rows).toHaveLength(1);
    await log.waitFor('chat.chat.created', { chatId: results[0]!.body.id });
    // Events are published in commit order: once a later chat's event is seen, a duplicate would have been too.
    const [c, d] = await newUsers(stack, 2);
    const marker = await openDirect(c, d.id);
    await log.waitFor('chat.chat.created', { chatId: marker.body.id });
    expect(log.about('chat.chat.created', results[0]!.body.id)).toHaveLength(1);
  });

  it('when the body names no one, several, or the caller, or carries group fields, then 400', async () => {
    const [a, b, c] = await newUsers(stack, 3);
    expectInvalid(await as(stack, a).post('/chats', { type: 'direct' }), 'memberIds');
    expectInvalid(await as(stack, a).post('/chats', { type: 'direct', memberIds: [b.id, c.id] }), 'memberIds');
    expectInvalid(await openDirect(a, a.id), 'memberIds.0');
    expectInvalid(await as(stack, a).post('/chats', { type: 'direct', memberIds: [b.id], name: 'us' }), 'name');
    expectInvalid(await as(stack, a).post('/chats', { type: 'direct', memberIds: [b.id], isPublic: true }), 'isPublic');
  });

  it('when the other user blocked the caller, or the caller blocked them, then 403 blocked and no chat', async () => {
    const [a, b, c] = await newUsers(stack, 3);
    expect((await as(stack, b).post('/users/me/blocked', { userId: a.id })).status).toBe(201);
    expectProblem(await openDirect(a, b.id), 403, 'blocked');
    expect((await as(stack, a).post('/users/me/blocked', { userId: c.id })).status).toBe(201);
    expectProblem(await openDirect(a, c.id), 403, 'blocked');
    expect((await as(stack, a).get('/chats')).body.data).toEqual([]);
  });

  it('when the other user is unknown, deleted or of another app, then 404', async () => {
    const [a, gone] = await newUsers(stack, 2);
    const foreign = await newAppUser(stack);
    expectProblem(await openDirect(a, crypto.randomUUID()), 404, 'not_found');
    expectProblem(await openDirect(a, foreign.id), 404, 'not_found');
    expectProblem(await openDirect(foreign, a.id), 404, 'not_found');
    expect((await deleteAccount(stack, gone)).status).toBe(204);
    expectProblem(await openDirect(a, gone.id), 404, 'not_found');
  });

  it('when a member tries to administer a direct chat, then 403: no adding, leaving, renaming, inviting or moderating', async () => {
    const [a, b, c] = await newUsers(stack, 3);
    const chat = (await openDirect(a, b.id)).body;
    const me = as(stack, a);
    expectProblem(await me.post(`/chats/${chat.id}/members`, { userIds: [c.id] }), 403, 'forbidden');
    expectProblem(await me.post(`/chats/${chat.id}/leave`), 403, 'forbidden');
    expectProblem(await me.patch(`/chats/${chat.id}`, { name: 'ours' }), 403, 'forbidden');
    expectProblem(await me.post(`/chats/${chat.id}/invite-links`, {}), 403, 'forbidden');
    expectProblem(await me.patch(`/chats/${chat.id}/moderation`, { frozen: true }), 403, 'forbidden');
    expectProblem(await me.delete(`/chats/${chat.id}/members/${b.id}`), 403, 'forbidden');
    expectProblem(await me.delete(`/chats/${chat.id}`), 403, 'forbidden');
    expect((await me.get(`/chats/${chat.id}`)).body.memberCount).toBe(2);
  });
});
