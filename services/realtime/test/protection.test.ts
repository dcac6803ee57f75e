import { type RunningService, type Stack } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue, metricsOf, natsOf, newGroup, newUser, newUsers } from './helpers.js';
import { startRealtimeNode, startRealtimeStack, wsUrl } from './stack.js';
import { WsClient } from './ws-client.js';

let stack: Stack;
let url: string;
beforeAll(async () => {
  stack = await startRealtimeStack();
  url = wsUrl(stack.gateway.url);
});
afterAll(async () => {
  WsClient.terminateAll();
  await stack?.stop();
});

describe('bad frames', () => {
  it('when a frame is larger than 64 KiB, then the socket is closed with 1009; one just under the limit is answered', async () => {
    const user = await newUser(stack);
    const client = await WsClient.ready(url, user.accessToken);
    const under = JSON.stringify({ op: 'nope', ref: 'big', d: { pad: 'x'.repeat(64 * 1024 - 100) } });
    expect(Buffer.byteLength(under)).toBeLessThanOrEqual(64 * 1024);
    client.send(under);
    expect(await client.next((f) => f.ref === 'big')).toMatchObject({ op: 'error', error: { code: 'validation_failed' } });
    client.send(JSON.stringify({ op: 'ping', d: { pad: 'x'.repeat(64 * 1024) } }));
    expect(await client.closeCode()).toBe(1009);
  });

  it('when a frame is not JSON, not an object, or binary, then an error frame answers and the socket stays open', async () => {
    const user = await newUser(stack);
    const client = await WsClient.ready(url, user.accessToken);
    client.send('{"op": "ping"');
    client.send('[1,2]');
    client.send('42');
    client.ws.send(Buffer.from('{"op":"ping"}'), { binary: true });
    await client.next(() => client.frames.filter((f) => f.op === 'error').length === 4);
    for (const f of client.frames.filter((f) => f.op === 'error'))
      expect(f).toEqual({ op: 'error', error: { code: 'validation_failed', message: expect.any(String) } });
    expect((await client.request('ping')).op).toBe('pong');
    client.close();
  });

  it('when an op is unknown or its data breaks the schema (missing, unknown or bad fields), then validation_failed with the ref and the paths', async () => {
    const user = await newUser(stack);
    const client = await WsClient.ready(url, user.accessToken);
    expect(await client.request('messages.sendd', {})).toEqual({
      op: 'error',
      ref: expect.any(String),
      error: { code: 'validation_failed', message: expect.stringContaining('unknown op') },
    });
    const chatId = '0190f3c2-6a1e-7c3b-9d2f-1a2b3c4d5e6f';
    const cases: [string, unknown, string][] = [
      ['message.send', { clientMessageId: 'c1', text: 'hi' }, 'd.chatId'],
      ['message.send', { chatId, clientMessageId: 'c1', text: 'hi', admin: true }, 'd.admin'],
      ['message.send', { chatId, clientMessageId: 'has space', text: 'hi' }, 'd.clientMessageId'],
      ['read', { chatId, seq: -1 }, 'd.seq'],
      ['typing.start', { chatId: 'not-a-uuid' }, 'd.chatId'],
      ['presence.subscribe', { userIds: Array.from({ length: 501 }, () => chatId) }, 'd.userIds'],
      ['sync', { chats: { 'not-a-uuid': 1 } }, 'd.chats.not-a-uuid'],
    ];
    for (const [op, d, path] of cases) {
      const answer = await client.request(op, d);
      expect(answer.error?.code, `${op} ${JSON.stringify(d)}`).toBe('validation_failed');
      expect(
        answer.error.errors.map((e: { path: string }) => e.path),
        op,
      ).toContain(path);
    }
    const noData = await client.request('read');
    expect(noData.error.code).toBe('validation_failed');
    expect(client.ws.readyState).toBe(client.ws.OPEN);
    client.close();
  });

  it('when an authenticated socket sends a malformed auth, then validation_failed answers it and the socket stays open', async () => {
    const user = await newUser(stack);
    const client = await WsClient.ready(url, user.accessToken);
    for (const d of [undefined, {}, { token: '' }, { token: user.accessToken, extra: 1 }]) {
      expect((await client.request('auth', d)).error.code, JSON.stringify(d)).toBe('validation_failed');
    }
    expect(await client.request('ping')).toEqual({ op: 'pong', ref: expect.any(String) });
    client.close();
  });
});

describe('op rate limits', () => {
  it('when a socket sends a short burst over the limit, then the excess gets rate_limited errors and the socket stays open', async () => {
    const user = await newUser(stack);
    const refused = async () => metricValue(await metricsOf(stack.services.realtime!), 'rate_limit_refusals_total{limit="ws-ops"}') ?? 0;
    const before = await refused();
    const client = await WsClient.ready(url, user.accessToken);
    for (let i = 0; i < 60; i++) client.send({ op: 'ping', ref: i });
    await client.next(() => client.frames.filter((f) => f.op === 'pong' || f.op === 'error').length === 60);
    const limited = client.frames.filter((f) => f.op === 'error');
    expect(limited.length).toBeGreaterThanOrEqual(15);
    expect(await refused()).toBe(before + limited.length);
    expect(limited[0]).toEqual({ op: 'error', ref: expect.any(Number), error: { code: 'rate_limited', message: expect.any(String), retryAfter: 1 } });
    await new Promise((r) => setTimeout(r, 1100));
    expect((await client.request('ping')).op).toBe('pong');
    client.close();
  });

  it('when a socket floods ops, then it is closed with 4029', async () => {
    const user = await newUser(stack);
    const client = await WsClient.ready(url, user.accessToken);
    for (let i = 0; i < 1000; i++) client.send({ op: 'ping', ref: i });
    expect(await client.closeCode()).toBe(4029);
    expect(client.frames.some((f) => f.error?.code === 'rate_limited')).toBe(true);
  });
});

describe('slow consumers', () => {
  let node: RunningService;
  beforeAll(async () => {
    node = await startRealtimeNode(stack, { WS_SEND_BUFFER_BYTES: String(256 * 1024) });
  });
  afterAll(() => node?.stop());

  it('when a socket reads nothing while its chat is busy, then it is cut off with 4008 and another member keeps receiving every frame', async () => {
    const [a, b] = await newUsers(stack, 2);
    const chatId = await newGroup(stack, a!, [b!]);
    const slow = await WsClient.ready(wsUrl(node.url), a!.accessToken);
    const fast = await WsClient.ready(wsUrl(node.url), b!.accessToken);
    slow.ws.pause();
    const nats = await natsOf(stack);
    const pad = 'x'.repeat(32 * 1024);
    const total = 400;
    const batch = 4;
    let slowest = 0;
    // Paced like a busy chat: the fast reader keeps up with every batch while the slow one piles up.
    for (let seq = 1; seq <= total; seq += batch) {
      const sentAt = Date.now();
      for (let s = seq; s < seq + batch; s++) nats.publish(`rt.chat.${chatId}`, { op: 'event', t: 'message.created', chatId, seq: s, d: { pad } });
      await fast.next((f) => f.seq === seq + batch - 1, 5000, `frame ${seq + batch - 1} at the fast socket`);
      slowest = Math.max(slowest, Date.now() - sentAt);
    }
    expect(fast.events('message.created', chatId).map((f) => f.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(slowest).toBeLessThan(1000);
    slow.ws.resume();
    expect(await slow.closeCode(10_000)).toBe(4008);
    expect(slow.events().length).toBeLessThan(total);
    expect(fast.ws.readyState).toBe(fast.ws.OPEN);
    expect(metricValue(await metricsOf(node), 'realtime_send_buffer_drops_total')).toBe(1);
    fast.close();
    await nats.close();
  });

  it('when a socket reads nothing while frames keep coming, then realtime_send_buffer_bytes reports the bytes waiting for it', async () => {
    const [a, b] = await newUsers(stack, 2);
    const chatId = await newGroup(stack, a!, [b!]);
    const slow = await WsClient.ready(wsUrl(node.url), a!.accessToken);
    const fast = await WsClient.ready(wsUrl(node.url), b!.accessToken);
    const buffered = async () => metricValue(await metricsOf(node), 'realtime_send_buffer_bytes') ?? 0;
    expect(await buffered()).toBe(0);
    slow.ws.pause();
    const nats = await natsOf(stack);
    const pad = 'x'.repeat(32 * 1024);
    // Frame by frame until the connection's buffers are full and the node holds bytes for it
    // (the socket is cut only by a write once it holds more than WS_SEND_BUFFER_BYTES).
    let waiting = 0;
    for (let seq = 1; waiting === 0 && seq <= 400; seq++) {
      nats.publish(`rt.chat.${chatId}`, { op: 'event', t: 'message.created', chatId, seq, d: { pad } });
      await fast.next((f) => f.seq === seq, 5000, `frame ${seq} at the fast socket`);
      waiting = await buffered();
    }
    expect(waiting).toBeGreaterThan(0);
    expect(slow.ws.readyState).toBe(slow.ws.OPEN);
    slow.close();
    fast.close();
    await nats.close();
  });
});
