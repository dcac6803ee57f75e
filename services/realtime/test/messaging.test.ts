import { type RunningService, type Stack, as } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newGroup, newUser, newUsers, secondSession } from './helpers.js';
import { startRealtimeNode, startRealtimeStack, wsUrl } from './stack.js';
import { type Frame, WsClient } from './ws-client.js';

let stack: Stack;
let url: string;
let node2: RunningService;
beforeAll(async () => {
  stack = await startRealtimeStack({ message: true });
  url = wsUrl(stack.gateway.url);
  node2 = await startRealtimeNode(stack);
});
afterAll(async () => {
  WsClient.terminateAll();
  await node2?.stop();
  await stack?.stop();
});

let counter = 0;
const text = (label = 'hello') => ({ clientMessageId: `c-${++counter}`, text: `${label} ${counter}` });

/** Sends through the socket and returns the acked message. */
async function send(client: WsClient, chatId: string, body = text()): Promise<Frame> {
  return (await client.ack('message.send', { chatId, ...body })).message;
}

describe('message ops', () => {
  it('when a member sends over the socket, then the ack carries the message, and every socket of every member (the sender’s too) gets message.created once', async () => {
    const alice = await newUser(stack);
    const bob = await newUser(stack);
    const alicePhone = await secondSession(stack, alice);
    const chatId = await newGroup(stack, alice, [bob]);
    const [a, aPhone, b] = await Promise.all([
      WsClient.ready(url, alice.accessToken),
      WsClient.ready(wsUrl(node2.url), alicePhone.accessToken),
      WsClient.ready(url, bob.accessToken),
    ]);
    const body = text();
    const message = await send(a, chatId, body);
    expect(message).toMatchObject({ chatId, senderId: alice.id, clientMessageId: body.clientMessageId, text: body.text, seq: expect.any(Number) });
    for (const client of [a, aPhone, b]) {
      const event = await client.next((f) => f.t === 'message.created' && f.seq === message.seq);
      expect(event).toMatchObject({ op: 'event', t: 'message.created', chatId, seq: message.seq, d: { message: { id: message.id, text: body.text } } });
    }
    // The same clientMessageId again: the original back, no second event (a later message is the marker).
    const again = await send(a, chatId, body);
    expect(again).toMatchObject({ id: message.id, seq: message.seq });
    const marker = await send(a, chatId);
    await b.next((f) => f.t === 'message.created' && f.seq === marker.seq);
    expect(b.events('message.created', chatId).filter((f) => f.d.message.id === message.id)).toHaveLength(1);
    expect(marker.seq).toBe(message.seq + 1);
  });

  it('when a member edits, reacts, marks read and deletes over the socket, then each is acked and the others get the events', async () => {
    const [alice, bob] = await newUsers(stack, 2);
    const chatId = await newGroup(stack, alice!, [bob!]);
    const [a, b] = await Promise.all([WsClient.ready(url, alice!.accessToken), WsClient.ready(url, bob!.accessToken)]);
    const message = await send(a, chatId);
    expect((await a.ack('message.edit', { messageId: message.id, text: 'edited' })).message).toMatchObject({ id: message.id, text: 'edited' });
    await b.next((f) => f.t === 'message.edited' && f.chatId === chatId);
    expect(await b.ack('reaction.add', { messageId: message.id, emoji: '👍' })).toEqual({});
    await a.next((f) => f.t === 'reaction.added' && f.chatId === chatId);
    expect(await b.ack('reaction.remove', { messageId: message.id, emoji: '👍' })).toEqual({});
    await a.next((f) => f.t === 'reaction.removed' && f.chatId === chatId);
    expect(await b.ack('delivered', { chatId, seq: message.seq })).toEqual({});
    expect(await b.ack('read', { chatId, seq: message.seq })).toEqual({});
    expect(await a.ack('message.delete', { messageId: message.id, for: 'everyone' })).toEqual({});
    await b.next((f) => f.t === 'message.deleted' && f.chatId === chatId);
    const seqs = b
      .events(undefined, chatId)
      .filter((f) => typeof f.seq === 'number')
      .map((f) => f.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
  });

  it('when an outsider sends, edits or marks in a chat, then an error frame with the REST code answers, and the members get nothing', async () => {
    const [alice, bob, mallory] = await newUsers(stack, 3);
    const chatId = await newGroup(stack, alice!, [bob!]);
    const [b, m] = await Promise.all([WsClient.ready(url, bob!.accessToken), WsClient.ready(url, mallory!.accessToken)]);
    const refused = await m.request('message.send', { chatId, ...text('intruder') });
    expect(refused).toEqual({
      op: 'error',
      ref: expect.any(String),
      error: { code: expect.stringMatching(/^(not_found|forbidden)$/), message: expect.any(String) },
    });
    const original = await send(b, chatId);
    expect((await m.request('message.edit', { messageId: original.id, text: 'mine now' })).error.code).toMatch(/^(not_found|forbidden)$/);
    expect((await m.request('read', { chatId, seq: 1 })).error.code).toMatch(/^(not_found|forbidden)$/);
    expect((await b.request('message.send', { chatId, clientMessageId: 'blank', text: '   ' })).error.code).toBe('validation_failed');
    const marker = await send(b, chatId);
    await b.next((f) => f.seq === marker.seq);
    expect(b.events('message.created', chatId).map((f) => f.d.message.text)).not.toContain(expect.stringContaining('intruder'));
  });

  it('when a message is sent through node 1, then a member’s socket on node 2 receives it', async () => {
    const [alice, bob] = await newUsers(stack, 2);
    const chatId = await newGroup(stack, alice!, [bob!]);
    const onNode1 = await WsClient.ready(url, alice!.accessToken);
    const onNode2 = await WsClient.ready(wsUrl(node2.url), bob!.accessToken);
    const message = await send(onNode1, chatId);
    expect(await onNode2.next((f) => f.t === 'message.created' && f.seq === message.seq)).toMatchObject({ chatId, d: { message: { id: message.id } } });
  });
});

describe('membership changes', () => {
  it('when a user is added to a chat while connected, then their sockets get chat.added and the chat’s messages without reconnecting', async () => {
    const [alice, bob] = await newUsers(stack, 2);
    const bobTablet = await secondSession(stack, bob!);
    const chatId = await newGroup(stack, alice!, []);
    const a = await WsClient.ready(url, alice!.accessToken);
    const [b1, b2] = await Promise.all([WsClient.ready(url, bob!.accessToken), WsClient.ready(url, bobTablet.accessToken)]);
    expect((await as(stack, alice!).post(`/chats/${chatId}/members`, { userIds: [bob!.id] })).status).toBe(201);
    for (const b of [b1, b2]) expect(await b.next((f) => f.t === 'chat.added')).toMatchObject({ op: 'event', t: 'chat.added', d: { chat: { id: chatId } } });
    const message = await send(a, chatId);
    for (const b of [b1, b2]) await b.next((f) => f.t === 'message.created' && f.d.message.id === message.id);
  });

  it('when a member is removed while connected, then every socket of theirs gets chat.removed and nothing more from the chat', async () => {
    const [alice, bob] = await newUsers(stack, 2);
    const bobTablet = await secondSession(stack, bob!);
    const chatId = await newGroup(stack, alice!, [bob!]);
    const other = await newGroup(stack, alice!, [bob!]);
    const a = await WsClient.ready(url, alice!.accessToken);
    const [b1, b2] = await Promise.all([WsClient.ready(url, bob!.accessToken), WsClient.ready(url, bobTablet.accessToken)]);
    const before = await send(a, chatId);
    for (const b of [b1, b2]) await b.next((f) => f.d?.message?.id === before.id);
    expect((await as(stack, alice!).delete(`/chats/${chatId}/members/${bob!.id}`)).status).toBe(204);
    for (const b of [b1, b2]) expect(await b.next((f) => f.t === 'chat.removed')).toMatchObject({ t: 'chat.removed', d: { chatId } });
    const after = await send(a, chatId);
    const marker = await send(a, other);
    for (const b of [b1, b2]) {
      await b.next((f) => f.d?.message?.id === marker.id);
      expect(b.frames.some((f) => f.d?.message?.id === after.id)).toBe(false);
      expect(b.events(undefined, chatId).every((f) => f.seq === undefined || f.seq <= after.seq - 1)).toBe(true);
    }
  });
});
