import type { Stack } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, expectProblem, memberIds, newGroup, newUser, newUsers } from './helpers.js';
import { startChatStack } from './stack.js';

const MAX = 3;
const MAX_CHANNEL = 4;

let stack: Stack;
beforeAll(async () => {
  stack = await startChatStack({ CHAT_MAX_MEMBERS: String(MAX), CHAT_MAX_CHANNEL_MEMBERS: String(MAX_CHANNEL) });
});
afterAll(() => stack?.stop());

describe('member limit (CHAT_MAX_MEMBERS)', () => {
  it('when a group would start over the limit, then 422 and no chat', async () => {
    const owner = await newUser(stack);
    const others = await newUsers(stack, MAX);
    expectProblem(await as(stack, owner).post('/chats', { type: 'group', name: 'Too big', memberIds: others.map((u) => u.id) }), 422, 'validation_failed');
    expect((await as(stack, owner).get('/chats')).body.data).toEqual([]);
    expect((await as(stack, owner).post('/chats', { type: 'group', name: 'Just right', memberIds: others.slice(1).map((u) => u.id) })).status).toBe(201);
  });

  it('when an add would pass the limit, then 422 and nobody of the request is added', async () => {
    const [owner, a, b, c] = await newUsers(stack, 4);
    const chat = await newGroup(stack, owner, [a]);
    expectProblem(await as(stack, owner).post(`/chats/${chat.id}/members`, { userIds: [b.id, c.id] }), 422, 'validation_failed');
    expect(await memberIds(stack, owner, chat.id)).toEqual([owner.id, a.id].sort());
  });

  it('when a full group is joined by invite or as a public group, then 422', async () => {
    const [owner, a, b, c] = await newUsers(stack, 4);
    const chat = await newGroup(stack, owner, [a, b], { isPublic: true, name: 'Full house' });
    const { code } = (await as(stack, owner).post(`/chats/${chat.id}/invite-links`, {})).body;
    expectProblem(await as(stack, c).post('/chats/join', { code }), 422, 'validation_failed');
    expectProblem(await as(stack, c).post(`/chats/${chat.id}/join`), 422, 'validation_failed');
  });

  it('when many add at the same moment, then the group never passes the limit', async () => {
    const owner = await newUser(stack);
    const candidates = await newUsers(stack, 6);
    const chat = await newGroup(stack, owner);
    const results = await Promise.all(candidates.map((u) => as(stack, owner).post(`/chats/${chat.id}/members`, { userIds: [u.id] })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(MAX - 1);
    expect(results.filter((r) => r.status === 422)).toHaveLength(candidates.length - (MAX - 1));
    expect(await memberIds(stack, owner, chat.id)).toHaveLength(MAX);
    expect((await as(stack, owner).get(`/chats/${chat.id}`)).body.memberCount).toBe(MAX);
  });

  it('when a channel is filled, then its own limit applies', async () => {
    const owner = await newUser(stack);
    const readers = await newUsers(stack, MAX_CHANNEL);
    const channel = await newGroup(stack, owner, readers.slice(0, MAX_CHANNEL - 1), { type: 'channel', name: 'Bigger' });
    expect(channel.memberCount).toBe(MAX_CHANNEL);
    expectProblem(await as(stack, owner).post(`/chats/${channel.id}/members`, { userIds: [readers[MAX_CHANNEL - 1]!.id] }), 422, 'validation_failed');
  });
});
