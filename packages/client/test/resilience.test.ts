import type { ChatEvent, Message, StateDetail, Tokens } from '@chat/client/node';
import { boot as bootRealtime } from '@chat/realtime';
import { type RunningService, type Stack, as, newGroup, newUsers, startService } from '@chat/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { clientFor, closeClients, expiredTokenOf, restFor, startClientStack, startRealtimeOn, until, wsUrlOfNode } from './stack.js';

let stack: Stack;
let strictNode: RunningService;
beforeAll(async () => {
  stack = await startClientStack();
  // A node that allows few ops a second: sends beyond that are answered `rate_limited`.
  strictNode = await startService(bootRealtime, {
    ...stack.env,
    WS_OPS_PER_SECOND: '4',
    WS_OPS_BURST: '4',
    WS_ABUSE_TOLERANCE: '100000',
    REALTIME_LISTED: 'false',
  });
});
afterEach(() => closeClients());
afterAll(async () => {
  await strictNode?.stop();
  await stack?.stop();
});

/** Seqs shown for a chat, to check each came once and in order. */
function shownSeqs(client: { on(name: 'event', fn: (e: ChatEvent) => void): unknown }, chatId: string): number[] {
  const seqs: number[] = [];
  client.on('event', (e) => {
    if (e.chatId === chatId) seqs.push(e.seq);
  });
  return seqs;
}

const increasing = (seqs: number[]) => seqs.every((s, i) => i === 0 || s > seqs[i - 1]!);

describe('ChatClient: reconnect and resume', () => {
  it('when the receiver socket is terminated again and again while messages are sent, then its timeline is complete, in order, without duplicates', async () => {
    const [alice, bob] = await newUsers(stack, 2);
    const chat = await newGroup(stack, alice, [bob]);
    const receiver = clientFor(stack, bob);
    receiver.track(chat.id);
    const seqs = shownSeqs(receiver, chat.id);
    const sender = clientFor(stack, alice);
    await Promise.all([receiver.connect(), sender.connect()]);

    // Each batch is sent right after the receiver's socket was cut: it arrives while it reconnects.
    const sent: Message[] = [];
    const drops = 4;
    for (let batch = 0; batch < drops; batch++) {
      await until(() => receiver.state === 'ready', 'the receiver to be connected');
      (receiver.socket as WebSocket).terminate();
      sent.push(...(await Promise.all(Array.from({ length: 10 }, (_, i) => sender.send(chat.id, { text: `m${batch}.${i}` })))));
    }
    const bySeq = sent.sort((x, y) => x.seq - y.seq);
    await until(() => receiver.cursor(chat.id) === bySeq.at(-1)!.seq, 'the receiver to catch up');
    expect(receiver.timeline(chat.id).map((m) => m.id)).toEqual(bySeq.map((m) => m.id));
    expect(increasing(seqs)).toBe(true);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(receiver.stats.reconnects).toBeGreaterThanOrEqual(drops);
    expect(receiver.stats.syncs).toBeGreaterThanOrEqual(drops + 1);
  }, 60_000);

  it('when its node shuts down (1001) and comes back, then the client reconnects and shows what was sent meanwhile', async () => {
    const [alice, bob] = await newUsers(stack, 2);
    const chat = await newGroup(stack, alice, [bob]);
    const a = restFor(stack, alice);
    let node = await startRealtimeOn(stack, 0);
    const port = Number(new URL(node.url).port);
    try {
      const b = clientFor(stack, bob, { wsUrl: wsUrlOfNode(node) });
      b.track(chat.id);
      const closes: StateDetail[] = [];
      b.on('state', (state, detail) => {
        if (state === 'closed') closes.push(detail);
      });
      await b.connect();
      const before = await a.sendMessage(chat.id, { text: 'before' });
      await until(() => b.cursor(chat.id) === before.seq, 'the first message');

      await node.stop();
      await until(() => closes.length > 0, 'the close');
      const during = await a.sendMessage(chat.id, { text: 'while down' });
      node = await startRealtimeOn(stack, port);
      await until(() => b.cursor(chat.id) === during.seq, 'the message sent while down');
      expect(closes[0]).toMatchObject({ code: 1001, willReconnect: true });
      expect(b.timeline(chat.id).map((m) => m.text)).toEqual(['before', 'while down']);
      expect(b.stats.reconnects).toBeGreaterThanOrEqual(1);
    } finally {
      await node.stop();
    }
  });

  it('when the socket drops after the server took a send but before its ack arrived, then the retry with the same clientMessageId yields the one message', async () => {
    const [alice, bob] = await newUsers(stack, 2);
    const chat = await newGroup(stack, alice, [bob]);
    const watcher = clientFor(stack, bob);
    watcher.track(chat.id);
    const sender = clientFor(stack, alice);
    await Promise.all([watcher.connect(), sender.connect()]);

    // The sender stops reading: its ack stays unread on the old socket.
    (sender.socket as WebSocket).pause();
    const sending = sender.send(chat.id, { text: 'exactly once', clientMessageId: 'client-test-once' });
    await until(() => watcher.timeline(chat.id).length === 1, 'the message to be committed');
    sender.dropConnection();
    const message = await sending;

    expect(sender.stats.sendRetries).toBe(1);
    expect(message.id).toBe(watcher.timeline(chat.id)[0]!.id);
    const history = await restFor(stack, alice).history(chat.id);
    expect(history.data.filter((m) => m.clientMessageId === 'client-test-once')).toHaveLength(1);
    expect(history.data).toHaveLength(1);
  });

  it('when sends are answered rate_limited, then they are retried until each is committed exactly once', async () => {
    const [alice] = await newUsers(stack, 1);
    const chat = await newGroup(stack, alice, []);
    const sender = clientFor(stack, alice, { wsUrl: `${strictNode.url.replace(/^http/, 'ws')}/ws`, sendRetryMinMs: 100, sendRetryMaxMs: 400 });
    await sender.connect();

    const sent = await Promise.all(Array.from({ length: 12 }, (_, i) => sender.send(chat.id, { text: `burst ${i}`, clientMessageId: `burst-${i}` })));
    expect(sender.stats.sendRetries).toBeGreaterThan(0);
    const history = await restFor(stack, alice).history(chat.id, { limit: 100 });
    expect(history.data).toHaveLength(12);
    expect(new Set(history.data.map((m) => m.clientMessageId)).size).toBe(12);
    expect(new Set(sent.map((m) => m.id)).size).toBe(12);
  });
});

describe('ChatClient: gaps', () => {
  it('when a live event is missing (a shadow-banned member posted in between), then the gap is filled and later events are shown in order', async () => {
    const [owner, reader, banned] = await newUsers(stack, 3);
    const chat = await newGroup(stack, owner, [reader, banned]);
    const b = clientFor(stack, reader);
    b.track(chat.id);
    const seqs = shownSeqs(b, chat.id);
    await b.connect();
    expect((await as(stack, owner).post(`/chats/${chat.id}/bans`, { userId: banned.id, shadow: true })).status).toBe(201);

    // Until the ban reaches the message service the posts stay visible; then one is the sender's only.
    const hidden = restFor(stack, banned);
    const ownerRest = restFor(stack, owner);
    let shadowed: Message | undefined;
    while (!shadowed) {
      const m = await hidden.sendMessage(chat.id, { text: 'only I see this' });
      if (
        await ownerRest.getMessage(m.id).then(
          () => false,
          () => true,
        )
      )
        shadowed = m;
    }
    const after = await ownerRest.sendMessage(chat.id, { text: 'after the hidden one' });
    expect(after.seq).toBe(shadowed.seq + 1);

    await until(() => b.cursor(chat.id) === after.seq, 'the event after the gap');
    expect(b.timeline(chat.id).at(-1)!.id).toBe(after.id);
    expect(b.timeline(chat.id).some((m) => m.id === shadowed.id)).toBe(false);
    expect(seqs).not.toContain(shadowed.seq);
    expect(increasing(seqs)).toBe(true);
    expect(b.stats.gapsFilled).toBeGreaterThanOrEqual(1);
  });

  it('when a chat is tracked from a cursor behind on a live socket, then the missed events are paged in before the live ones', async () => {
    const [alice, bob] = await newUsers(stack, 2);
    const chat = await newGroup(stack, alice, [bob]);
    const a = restFor(stack, alice);
    const b = clientFor(stack, bob, { eventsPageLimit: 2 });
    await b.connect();
    const early: Message[] = [];
    // Live events of the chat reach the socket while it is not tracked yet.
    for (const text of ['e1', 'e2', 'e3', 'e4', 'e5', 'e6']) early.push(await a.sendMessage(chat.id, { text }));
    await until(() => b.stats.framesReceived >= 7, 'the live frames of the untracked chat');

    const seqs = shownSeqs(b, chat.id);
    b.track(chat.id, early[0]!.seq);
    const late = [await a.sendMessage(chat.id, { text: 'l1' }), await a.sendMessage(chat.id, { text: 'l2' })];
    await until(() => b.cursor(chat.id) === late[1]!.seq && b.stats.gapsFilled > 0, 'the live messages and the catch-up');
    expect(b.timeline(chat.id).map((m) => m.text)).toEqual(['e2', 'e3', 'e4', 'e5', 'e6', 'l1', 'l2']);
    expect(increasing(seqs)).toBe(true);
  });
});

describe('ChatClient: tokens', () => {
  it('when the socket is refused with 4001 token expired, then the client refreshes once and connects with the new token', async () => {
    const [alice] = await newUsers(stack, 1);
    const tokens: Tokens[] = [];
    const closes: StateDetail[] = [];
    const client = clientFor(stack, { ...alice, accessToken: expiredTokenOf(stack, alice) }, { onTokens: (t) => tokens.push(t) });
    client.on('state', (state, detail) => {
      if (state === 'closed') closes.push(detail);
    });
    const ready = await client.connect();
    expect(ready.userId).toBe(alice.id);
    expect(closes).toEqual([{ code: 4001, reason: 'token expired', willReconnect: true }]);
    expect(tokens).toHaveLength(1);
    expect(client.rest.tokens?.accessToken).toBe(tokens[0]!.accessToken);
  });

  it('when the token has expired and the refresh is refused, then connect rejects and the client stays closed', async () => {
    const [alice] = await newUsers(stack, 1);
    const client = clientFor(stack, { ...alice, accessToken: expiredTokenOf(stack, alice), refreshToken: 'spent-or-forged-refresh-token-000000' });
    const closes: StateDetail[] = [];
    client.on('state', (state, detail) => {
      if (state === 'closed') closes.push(detail);
    });
    await expect(client.connect()).rejects.toMatchObject({ status: 401 });
    expect(client.state).toBe('closed');
    expect(closes.at(-1)).toMatchObject({ code: 4001, willReconnect: false });
    expect(client.stats.reconnects).toBe(0);
  });
});
