import type { Stack } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, closeDatabases, eventsOf, expectInvalid, expectProblem, newGroup, newUsers, recordEvents, send, waitForLogEntry } from './helpers.js';
import { startMessageStack } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startMessageStack();
});
afterAll(async () => {
  await closeDatabases();
  await stack?.stop();
});

describe('editing', () => {
  it('when the sender edits, then the text and editedAt change, the log gets message.edited, and the history keeps every text', async () => {
    const [a, b] = await newUsers(stack, 2);
    const chat = await newGroup(stack, a, [b]);
    const msg = await send(stack, a, chat.id, { text: 'v1' });
    const first = await as(stack, a).patch(`/messages/${msg.id}`, { text: 'v2' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id: msg.id, seq: msg.seq, text: 'v2', editedAt: expect.any(String) });
    await as(stack, a).patch(`/messages/${msg.id}`, { text: 'v3' });
    const history = await as(stack, b).get(`/messages/${msg.id}/edits`);
    expect(history.body.data.map((e: any) => e.text)).toEqual(['v1', 'v2', 'v3']);
    expect(history.body.data[0].editedAt).toBe(msg.createdAt);
    const log = await eventsOf(stack, b, chat.id);
    expect(log.data.map((e: any) => e.type)).toEqual(['message.created', 'message.edited', 'message.edited']);
    expect(log.data[2].data.message.text).toBe('v3');
  });

  it('when someone else edits, then 403; an outsider 404; bad text 400', async () => {
    const [a, b, outsider] = await newUsers(stack, 3);
    const chat = await newGroup(stack, a, [b]);
    const msg = await send(stack, a, chat.id, { text: 'mine' });
    expectProblem(await as(stack, b).patch(`/messages/${msg.id}`, { text: 'hijack' }), 403, 'forbidden');
    expectProblem(await as(stack, outsider).patch(`/messages/${msg.id}`, { text: 'hijack' }), 404, 'not_found');
    expectInvalid(await as(stack, a).patch(`/messages/${msg.id}`, { text: 'x'.repeat(4097) }), 'text');
    expectInvalid(await as(stack, a).patch(`/messages/${msg.id}`, { text: 'ok', pinned: true }), 'pinned');
    expect((await as(stack, a).get(`/messages/${msg.id}`)).body.text).toBe('mine');
  });
});

describe('deleting', () => {
  it('when the sender deletes for everyone, then a tombstone keeps the seq, content, reactions and pin go, and the log forgets the text', async () => {
    const [a, b] = await newUsers(stack, 2);
    const chat = await newGroup(stack, a, [b]);
    const events = await recordEvents(stack, 'evt.message.deleted');
    const msg = await send(stack, a, chat.id, { text: 'secret' });
    await as(stack, b).post(`/messages/${msg.id}/reactions`, { emoji: '👍' });
    await as(stack, a).post(`/messages/${msg.id}/pin`);
    expect((await as(stack, a).delete(`/messages/${msg.id}?for=everyone`)).status).toBe(204);
    const seen = (await as(stack, b).get(`/messages/${msg.id}`)).body;
    expect(seen).toMatchObject({ id: msg.id, seq: msg.seq, deleted: true, text: null, reactions: [], pinned: false });
    const log = await eventsOf(stack, b, chat.id);
    expect(JSON.stringify(log)).not.toContain('secret');
    expect(log.data.at(-1)).toMatchObject({ type: 'message.deleted', data: { messageId: msg.id } });
    expect((await events.waitFor('message.deleted', { messageId: msg.id })).event.data).toEqual({
      chatId: chat.id,
      messageId: msg.id,
      senderId: a.id,
      by: a.id,
      attachmentIds: [],
    });
    expect((await as(stack, a).delete(`/messages/${msg.id}?for=everyone`)).status).toBe(204);
    await events.close();
  });

  it('when another member deletes for everyone, then 403; an admin may; an outsider gets 404', async () => {
    const [owner, admin, m, outsider] = await newUsers(stack, 4);
    const chat = await newGroup(stack, owner, [admin, m]);
    expect((await as(stack, owner).patch(`/chats/${chat.id}/members/${admin.id}`, { role: 'admin' })).status).toBe(200);
    await waitForLogEntry(stack, owner, chat.id, 'member.role_changed');
    const msg = await send(stack, owner, chat.id, { text: 'x' });
    expectProblem(await as(stack, m).delete(`/messages/${msg.id}?for=everyone`), 403, 'forbidden');
    expectProblem(await as(stack, outsider).delete(`/messages/${msg.id}?for=everyone`), 404, 'not_found');
    expectInvalid(await as(stack, m).delete(`/messages/${msg.id}?for=all`), 'query.for');
    expect((await as(stack, admin).delete(`/messages/${msg.id}?for=everyone`)).status).toBe(204);
  });
});

describe('reactions, pins and polls', () => {
  it('when members react, then one of each emoji per user counts, with `me` for the reader, and removal works', async () => {
    const [a, b] = await newUsers(stack, 2);
    const chat = await newGroup(stack, a, [b]);
    const msg = await send(stack, a, chat.id);
    await as(stack, a).post(`/messages/${msg.id}/reactions`, { emoji: '👍' });
    await as(stack, a).post(`/messages/${msg.id}/reactions`, { emoji: '👍' });
    const res = await as(stack, b).post(`/messages/${msg.id}/reactions`, { emoji: '👍' });
    expect(res.body.reactions).toEqual([{ emoji: '👍', count: 2, me: true }]);
    await as(stack, b).post(`/messages/${msg.id}/reactions`, { emoji: '🎉' });
    const who = await as(stack, a).get(`/messages/${msg.id}/reactions`);
    expect(who.body.data).toEqual([
      { emoji: '👍', userIds: [a.id, b.id], count: 2 },
      { emoji: '🎉', userIds: [b.id], count: 1 },
    ]);
    expect((await as(stack, b).delete(`/messages/${msg.id}/reactions/${encodeURIComponent('👍')}`)).status).toBe(204);
    expect((await as(stack, a).get(`/messages/${msg.id}`)).body.reactions).toEqual([
      { emoji: '👍', count: 1, me: true },
      { emoji: '🎉', count: 1, me: false },
    ]);
    const types = (await eventsOf(stack, a, chat.id)).data.map((e: any) => e.type);
    expect(types).toEqual(['message.created', 'reaction.added', 'reaction.added', 'reaction.added', 'reaction.removed']);
    expectInvalid(await as(stack, a).post(`/messages/${msg.id}/reactions`, { emoji: 'not an emoji' }), 'emoji');
  });

  it('when an outsider reacts, votes or reads reactions and receipts, then 404', async () => {
    const [a, outsider] = await newUsers(stack, 2);
    const chat = await newGroup(stack, a);
    const msg = await send(stack, a, chat.id, { text: undefined, poll: { question: 'q', options: ['x', 'y'] } });
    expectProblem(await as(stack, outsider).post(`/messages/${msg.id}/reactions`, { emoji: '👍' }), 404, 'not_found');
    expectProblem(await as(stack, outsider).post(`/messages/${msg.id}/votes`, { optionIds: [0] }), 404, 'not_found');
    expectProblem(await as(stack, outsider).get(`/messages/${msg.id}/reactions`), 404, 'not_found');
    expectProblem(await as(stack, outsider).get(`/messages/${msg.id}/receipts`), 404, 'not_found');
    expectProblem(await as(stack, outsider).post(`/messages/${msg.id}/pin`), 404, 'not_found');
  });

  it('when a message is pinned and unpinned, then the pin list follows; a plain member of a channel may not pin', async () => {
    const [owner, m] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner, [m]);
    const msg = await send(stack, m, chat.id);
    expect((await as(stack, owner).post(`/messages/${msg.id}/pin`)).status).toBe(204);
    const pins = await as(stack, m).get(`/chats/${chat.id}/pins`);
    expect(pins.body.data).toEqual([{ message: expect.objectContaining({ id: msg.id, pinned: true }), pinnedBy: owner.id, pinnedAt: expect.any(String) }]);
    expect((await as(stack, owner).delete(`/messages/${msg.id}/pin`)).status).toBe(204);
    expect((await as(stack, m).get(`/chats/${chat.id}/pins`)).body.data).toEqual([]);
    const channel = await newGroup(stack, owner, [m], { type: 'channel' });
    const post = await send(stack, owner, channel.id);
    expectProblem(await as(stack, m).post(`/messages/${post.id}/pin`), 403, 'forbidden');
  });

  it('when members vote, then counts, voters and myVotes follow; single choice takes one option; bad options are 400', async () => {
    const [a, b] = await newUsers(stack, 2);
    const chat = await newGroup(stack, a, [b]);
    const single = await send(stack, a, chat.id, { text: undefined, poll: { question: 'Lunch?', options: ['Pizza', 'Sushi', 'Salad'] } });
    await as(stack, a).post(`/messages/${single.id}/votes`, { optionIds: [0] });
    const res = await as(stack, b).post(`/messages/${single.id}/votes`, { optionIds: [1] });
    expect(res.body.poll).toMatchObject({ totalVoters: 2, myVotes: [1], options: [{ votes: 1 }, { votes: 1 }, { votes: 0 }] });
    const changed = await as(stack, b).post(`/messages/${single.id}/votes`, { optionIds: [0] });
    expect(changed.body.poll.options.map((o: any) => o.votes)).toEqual([2, 0, 0]);
    expectInvalid(await as(stack, b).post(`/messages/${single.id}/votes`, { optionIds: [0, 1] }), 'optionIds');
    expectInvalid(await as(stack, b).post(`/messages/${single.id}/votes`, { optionIds: [3] }), 'optionIds');
    const multi = await send(stack, a, chat.id, { text: undefined, poll: { question: 'Days?', options: ['Mon', 'Tue'], multipleChoice: true } });
    expect((await as(stack, b).post(`/messages/${multi.id}/votes`, { optionIds: [0, 1] })).body.poll.myVotes).toEqual([0, 1]);
    const text = await send(stack, a, chat.id);
    expectInvalid(await as(stack, b).post(`/messages/${text.id}/votes`, { optionIds: [0] }), 'optionIds');
    expect((await eventsOf(stack, a, chat.id)).data.filter((e: any) => e.type === 'poll.voted')).toHaveLength(4);
  });
});
