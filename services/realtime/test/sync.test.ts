import { type EventRecorder, type Stack, type TestUser, recordEvents } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue, metricsOf, newGroup, newUsers } from './helpers.js';
import { startRealtimeStack, wsUrl } from './stack.js';
import { type Frame, WsClient } from './ws-client.js';

let stack: Stack;
let url: string;
let bus: EventRecorder;
beforeAll(async () => {
  stack = await startRealtimeStack({ message: true });
  url = wsUrl(stack.gateway.url);
  bus = await recordEvents(stack, 'none');
});
afterAll(async () => {
  WsClient.terminateAll();
  await bus?.close();
  await stack?.stop();
});

let counter = 0;

/** Sends as `user` straight to the message service (what any other client of the chat would do). */
async function sendAs(user: TestUser, chatId: string): Promise<Frame> {
  counter += 1;
  const reply = await bus.rpc('rpc.message.send', {
    appId: user.appId,
    userId: user.id,
    chatId,
    body: { clientMessageId: `s-${counter}`, text: `m ${counter}` },
  });
  if (!reply.ok) throw new Error(JSON.stringify(reply));
  return reply.data.message;
}

async function headSeq(user: TestUser, chatId: string): Promise<number> {
  const reply = await bus.rpc('rpc.message.events-since', { appId: user.appId, userId: user.id, chatId, after: 0, limit: 1 });
  return reply.data.lastSeq;
}

const logSeqs = (client: WsClient, chatId: string) =>
  client
    .events(undefined, chatId)
    .filter((f) => typeof f.seq === 'number')
    .map((f) => f.seq as number);
const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

describe('sync', () => {
  it('when a client syncs after being away, then the missed log events come in seq order before the ack, which says where it stands', async () => {
    const [alice, bob] = await newUsers(stack, 2);
    const chatId = await newGroup(stack, alice!, [bob!]);
    const cursor = await headSeq(bob!, chatId);
    for (let i = 0; i < 5; i++) await sendAs(alice!, chatId);
    const b = await WsClient.ready(url, bob!.accessToken);
    const ack = await b.ack('sync', { chats: { [chatId]: cursor } });
    expect(ack).toEqual({ chats: { [chatId]: { lastSeq: cursor + 5, hasMore: false } } });
    expect(logSeqs(b, chatId)).toEqual(range(cursor + 1, cursor + 5));
    const replayed = b.events('message.created', chatId);
    expect(replayed[0]).toEqual({
      op: 'event',
      t: 'message.created',
      chatId,
      seq: cursor + 1,
      actorId: alice!.id,
      createdAt: expect.any(String),
      d: { message: expect.objectContaining({ chatId, senderId: alice!.id }) },
    });
    const ackAt = b.frames.findIndex((f) => f.op === 'ack');
    expect(b.frames.findLastIndex((f) => f.op === 'event' && f.chatId === chatId)).toBeLessThan(ackAt);
    expect(metricValue(await metricsOf(stack.services.realtime!), 'realtime_sync_replays_total')).toBeGreaterThanOrEqual(1);
  });

  it('when a sync names chats the user is not in (or that do not exist), then their entries say forbidden and the others replay', async () => {
    const [alice, bob, carol] = await newUsers(stack, 3);
    const theirs = await newGroup(stack, alice!, [carol!]);
    const mine = await newGroup(stack, alice!, [bob!]);
    const b = await WsClient.ready(url, bob!.accessToken);
    const unknown = '0190f3c2-6a1e-7c3b-9d2f-1a2b3c4d5e6f';
    const ack = await b.ack('sync', { chats: { [theirs]: 0, [unknown]: 0, [mine]: 0 } });
    expect(ack.chats[theirs]).toEqual({ error: 'forbidden' });
    expect(ack.chats[unknown]).toEqual({ error: 'forbidden' });
    expect(ack.chats[mine]).toEqual({ lastSeq: await headSeq(bob!, mine), hasMore: false });
    expect(b.events(undefined, theirs)).toEqual([]);
  });

  it('when a chat missed more than 1000 events, then 1000 are replayed and hasMore says to page on', async () => {
    const [alice, bob] = await newUsers(stack, 2);
    const chatId = await newGroup(stack, alice!, [bob!]);
    const cursor = await headSeq(bob!, chatId);
    for (let i = 0; i < 1003; i += 20) await Promise.all(range(1, Math.min(20, 1003 - i)).map(() => sendAs(alice!, chatId)));
    const b = await WsClient.ready(url, bob!.accessToken);
    const ack = await b.ack('sync', { chats: { [chatId]: cursor } }, 15_000);
    expect(ack.chats[chatId]).toEqual({ lastSeq: cursor + 1000, hasMore: true });
    expect(logSeqs(b, chatId)).toEqual(range(cursor + 1, cursor + 1000));
  });

  it('when messages keep arriving while a connected client syncs, then it gets every seq exactly once and in order', async () => {
    const [alice, bob] = await newUsers(stack, 2);
    const chatId = await newGroup(stack, alice!, [bob!]);
    const b = await WsClient.ready(url, bob!.accessToken);
    const cursor = await headSeq(bob!, chatId);
    let last = 0;
    const sending = (async () => {
      for (let i = 0; i < 150; i++) last = (await sendAs(alice!, chatId)).seq;
    })();
    for (let i = 0; i < 5; i++) {
      await b.next(() => logSeqs(b, chatId).length >= 20 * (i + 1), 10_000);
      await b.ack('sync', { chats: { [chatId]: cursor } });
    }
    await sending;
    await b.next(() => logSeqs(b, chatId).at(-1) === last, 10_000, 'the last message');
    expect(logSeqs(b, chatId)).toEqual(range(cursor + 1, last));
  });

  it('when a client reconnects and syncs before ready while messages keep arriving, then the new socket gets every missed and new seq exactly once and in order', async () => {
    const [alice, bob] = await newUsers(stack, 2);
    const chatId = await newGroup(stack, alice!, [bob!]);
    const first = await WsClient.ready(url, bob!.accessToken);
    let last = 0;
    let stop = false;
    const sending = (async () => {
      while (!stop) last = (await sendAs(alice!, chatId)).seq;
    })();
    await first.next(() => logSeqs(first, chatId).length >= 30, 10_000);
    first.close();
    await first.closed;
    const cursor = logSeqs(first, chatId).at(-1)!;
    const second = await WsClient.open(url, { token: bob!.accessToken });
    second.send({ op: 'sync', ref: 's', d: { chats: { [chatId]: cursor } } });
    await second.next((f) => f.ref === 's');
    await second.next(() => logSeqs(second, chatId).length >= 30, 10_000);
    stop = true;
    await sending;
    await second.next(() => logSeqs(second, chatId).at(-1) === last, 10_000, 'the last message');
    expect(logSeqs(second, chatId)).toEqual(range(cursor + 1, last));
  });
});
