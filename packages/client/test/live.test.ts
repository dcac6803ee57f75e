import { type ChatEvent, NodeWebSocket, RequestError, type ServerFrame } from '@chat/client/node';
import { type RunningService, type Stack, newGroup, newUsers, startService } from '@chat/testkit';
import { boot as bootRealtime } from '@chat/realtime';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, closeClients, restFor, startClientStack, until } from './stack.js';

let stack: Stack;
let fastHeartbeatNode: RunningService;
beforeAll(async () => {
  stack = await startClientStack();
  fastHeartbeatNode = await startService(bootRealtime, { ...stack.env, WS_HEARTBEAT_INTERVAL_MS: '400', REALTIME_LISTED: 'false' });
});
afterEach(() => closeClients());
afterAll(async () => {
  await fastHeartbeatNode?.stop();
  await stack?.stop();
});

const wsOf = (node: RunningService) => `${node.url.replace(/^http/, 'ws')}/ws`;

describe('ChatClient: messaging', () => {
  it('when two clients send concurrently, then both show every message once, in seq order, with the same timeline', async () => {
    const [alice, bob] = await newUsers(stack, 2);
    const chat = await newGroup(stack, alice, [bob]);
    const a = clientFor(stack, alice);
    const b = clientFor(stack, bob);
    a.track(chat.id);
    b.track(chat.id);
    const shown: ChatEvent[] = [];
    const frames: ServerFrame[] = [];
    b.on('event', (e) => shown.push(e));
    b.on('frame', (f) => frames.push(f));
    await Promise.all([a.connect(), b.connect()]);

    const sent = await Promise.all([
      ...Array.from({ length: 15 }, (_, i) => a.send(chat.id, { text: `a${i}` })),
      ...Array.from({ length: 15 }, (_, i) => b.send(chat.id, { text: `b${i}` })),
    ]);
    const bySeq = [...sent].sort((x, y) => x.seq - y.seq);
    await until(() => a.timeline(chat.id).length === 30 && b.timeline(chat.id).length === 30, 'both timelines');

    expect(b.timeline(chat.id).map((m) => m.id)).toEqual(bySeq.map((m) => m.id));
    expect(a.timeline(chat.id)).toEqual(b.timeline(chat.id));
    const seqs = shown.filter((e) => e.chatId === chat.id).map((e) => e.seq);
    expect(seqs).toEqual([...new Set(seqs)].sort((x, y) => x - y));
    expect(seqs.at(-1)).toBe(bySeq.at(-1)!.seq);
    expect(b.cursor(chat.id)).toBe(bySeq.at(-1)!.seq);
    expect(b.stats.eventsShown).toBe(seqs.length);
    expect(b.stats.framesReceived).toBe(frames.length);
    expect(frames[0]).toMatchObject({ op: 'ready', d: { userId: bob.id } });
    expect(a.stats.sendRetries).toBe(0);
  });

  it('when messages are edited, reacted to, pinned and deleted, then the timeline shows the result', async () => {
    const [alice, bob] = await newUsers(stack, 2);
    const chat = await newGroup(stack, alice, [bob]);
    const a = clientFor(stack, alice);
    const b = clientFor(stack, bob);
    b.track(chat.id);
    await Promise.all([a.connect(), b.connect()]);

    const first = await a.send(chat.id, { text: 'first' });
    const second = await a.send(chat.id, { text: 'second' });
    expect((await a.edit(first.id, 'first, edited')).text).toBe('first, edited');
    await b.react(first.id, '🎉');
    await a.react(first.id, '🎉');
    await a.react(first.id, '👀');
    await a.react(first.id, '👀', false);
    await a.deleteMessage(second.id);
    const last = await a.send(chat.id, { text: 'last' });

    await until(() => b.cursor(chat.id)! >= last.seq, 'the last message');
    const [one, two, three] = b.timeline(chat.id);
    expect(one).toMatchObject({ id: first.id, text: 'first, edited', reactions: [{ emoji: '🎉', count: 2, me: true }] });
    expect(one!.editedAt).not.toBeNull();
    expect(two).toMatchObject({ id: second.id, deleted: true, text: null });
    expect(three).toMatchObject({ id: last.id, text: 'last' });

    // Deleted for me only: gone from my timeline, still there for the others.
    await b.deleteMessage(last.id, 'me');
    await until(() => b.timeline(chat.id).length === 2, 'the hidden message gone');
    expect(b.timeline(chat.id).map((m) => m.id)).toEqual([first.id, second.id]);
  });

  it('when a send is refused (outsider, channel reader, invalid), then it rejects at once with the error code and is not repeated', async () => {
    const [alice, reader, outsider] = await newUsers(stack, 3);
    const channel = await newGroup(stack, alice, [reader], { type: 'channel', name: 'News' });
    const a = clientFor(stack, alice);
    const r = clientFor(stack, reader);
    const stranger = clientFor(stack, outsider);
    await Promise.all([a.connect(), r.connect(), stranger.connect()]);

    const forbidden = await r.send(channel.id, { text: 'may I?' }).catch((e: unknown) => e);
    expect(forbidden).toBeInstanceOf(RequestError);
    expect(forbidden).toMatchObject({ code: 'forbidden', op: 'message.send', retryable: false });
    await expect(stranger.send(channel.id, { text: 'let me in' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(a.send(channel.id, { text: '   ' })).rejects.toMatchObject({ code: 'validation_failed' });
    expect(r.stats.sendRetries + stranger.stats.sendRetries + a.stats.sendRetries).toBe(0);
    expect((await restFor(stack, alice).history(channel.id)).data).toEqual([]);
  });

  it('when request() is used for any op, then it resolves with the ack data or rejects with the error frame', async () => {
    const [alice] = await newUsers(stack, 1);
    const chat = await newGroup(stack, alice, []);
    const a = clientFor(stack, alice);
    await a.connect();
    const sent = await a.send(chat.id, { text: 'x' });
    const ack = await a.request('sync', { chats: { [chat.id]: sent.seq - 1 } });
    expect(ack.chats[chat.id]).toEqual({ lastSeq: sent.seq, hasMore: false });
    await expect(a.request('message.edit', { messageId: sent.id, text: '' })).rejects.toMatchObject({ code: 'validation_failed' });
  });
});

describe('ChatClient: unread counts', () => {
  it('when others post, then the count follows the server figure plus new messages, and reading brings it to 0', async () => {
    const [alice, bob] = await newUsers(stack, 2);
    const chat = await newGroup(stack, alice, [bob]);
    const a = restFor(stack, alice);
    for (const text of ['1', '2', '3']) await a.sendMessage(chat.id, { text });

    const b = clientFor(stack, bob, { trackAll: true });
    const changes: [string, number][] = [];
    b.on('unread', (chatId, count) => changes.push([chatId, count]));
    await b.connect();
    expect(b.unread(chat.id)).toBe(3);
    expect(b.cursor(chat.id)).toBe((await a.getChat(chat.id)).lastSeq);

    const fourth = await a.sendMessage(chat.id, { text: '4' });
    await until(() => b.unread(chat.id) === 4, 'the live increment');
    expect(b.unreadTotal()).toBe(4);
    expect(await b.refreshUnread()).toMatchObject({ [chat.id]: 4 });

    await b.markRead(chat.id);
    await until(() => b.unread(chat.id) === 0, 'unread.updated after reading');
    expect(changes.at(-1)).toEqual([chat.id, 0]);
    expect(b.cursor(chat.id)).toBe(fourth.seq);
  });

  it('when a client tracks every chat, then a chat it is added to later is followed from its start', async () => {
    const [alice, bob] = await newUsers(stack, 2);
    const b = clientFor(stack, bob, { trackAll: true });
    await b.connect();
    const chat = await newGroup(stack, alice, [bob]);
    const first = await restFor(stack, alice).sendMessage(chat.id, { text: 'welcome' });
    await until(() => b.timeline(chat.id).length === 1, 'the first message of the new chat');
    expect(b.timeline(chat.id)[0]!.id).toBe(first.id);
    expect(b.unread(chat.id)).toBe(1);
  });
});

describe('ChatClient: connection', () => {
  it('when authenticating with a first frame (as browsers do), then the client gets ready and receives events', async () => {
    const [alice, bob] = await newUsers(stack, 2);
    const chat = await newGroup(stack, alice, [bob]);
    const b = clientFor(stack, bob, { WebSocket: NodeWebSocket, authMode: 'frame' });
    b.track(chat.id);
    const ready = await b.connect();
    expect(ready.userId).toBe(bob.id);
    const sent = await restFor(stack, alice).sendMessage(chat.id, { text: 'hello browser' });
    await until(() => b.timeline(chat.id).some((m) => m.id === sent.id), 'the message');
  });

  it('when the server asks for a short heartbeat, then the client pings on that interval from ready on', async () => {
    const [alice] = await newUsers(stack, 1);
    const a = clientFor(stack, alice, { wsUrl: wsOf(fastHeartbeatNode) });
    let pongs = 0;
    a.on('frame', (f) => {
      if (f.op === 'pong') pongs += 1;
    });
    const ready = await a.connect();
    expect(ready.heartbeatIntervalMs).toBe(400);
    // Only pings are answered with pongs; the node would close a socket silent for two intervals.
    await until(() => pongs >= 4, 'four pongs');
  });
});
