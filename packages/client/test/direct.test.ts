import { type RunningService, type Stack, newGroup, newUsers, waitFor } from '@chat/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, closeClients, restFor, startClientStack, startRealtimeOn, until, wsUrlOfNode } from './stack.js';

let stack: Stack;
/** The two listed nodes; the stack's own node is unlisted, so clients are sent to one of these. */
let nodeA: RunningService;
let nodeB: RunningService;
beforeAll(async () => {
  stack = await startClientStack({ REALTIME_LISTED: 'false' });
  // Reporting often: a test that empties the directory sees it refilled quickly.
  nodeA = await startRealtimeOn(stack, 0, { REALTIME_LISTED: 'true', NODE_REPORT_INTERVAL_MS: '200' });
  nodeB = await startRealtimeOn(stack, 0, { REALTIME_LISTED: 'true', NODE_REPORT_INTERVAL_MS: '200' });
});
afterEach(() => closeClients());
afterAll(async () => {
  await nodeA?.stop();
  await nodeB?.stop();
  await stack?.stop();
});

const endpoints = async () => (await stack.api.get('/api/v1/realtime')).body as { url: string | null; nodes: { url: string; connections: number }[] };

describe('GET /realtime: where clients connect', () => {
  it('when asked through the gateway, then every live node is listed with its socket count, least busy first, without a token', async () => {
    const res = await stack.api.get('/api/v1/realtime');
    expect(res.status).toBe(200);
    const urls = res.body.nodes.map((n: { url: string }) => n.url).sort();
    expect(urls).toEqual([wsUrlOfNode(nodeA), wsUrlOfNode(nodeB)].sort());
    expect(res.body.url).toBe(res.body.nodes[0].url);
    const counts = res.body.nodes.map((n: { connections: number }) => n.connections);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
  });

  it('when a node stops, then it leaves the list at once; the others stay', async () => {
    const third = await startRealtimeOn(stack, 0, { REALTIME_LISTED: 'true' });
    expect((await endpoints()).nodes.map((n) => n.url)).toContain(wsUrlOfNode(third));
    await third.stop();
    const after = (await endpoints()).nodes.map((n) => n.url);
    expect(after).not.toContain(wsUrlOfNode(third));
    expect(after).toEqual(expect.arrayContaining([wsUrlOfNode(nodeA), wsUrlOfNode(nodeB)]));
  });

  it('when a node is unlisted, then clients are never sent there', async () => {
    const hidden = await startRealtimeOn(stack, 0);
    try {
      const urls = (await endpoints()).nodes.map((n) => n.url);
      expect(urls).not.toContain(wsUrlOfNode(hidden));
      expect(urls).not.toContain(wsUrlOfNode(stack.services.realtime!));
    } finally {
      await hidden.stop();
    }
  });
});

describe('ChatClient: straight to a realtime node', () => {
  it('when a client connects without a fixed URL, then its socket goes to a listed node, not through the gateway, and messages arrive live', async () => {
    const [alice, bob] = await newUsers(stack, 2);
    const chat = await newGroup(stack, alice, [bob]);
    const b = clientFor(stack, bob);
    b.track(chat.id);
    await b.connect();
    const nodes = (await endpoints()).nodes.map((n) => n.url);
    expect(nodes).toContain(b.socketUrl);
    expect(b.socketUrl).not.toContain(new URL(stack.gateway.url).host);
    const sent = await restFor(stack, alice).sendMessage(chat.id, { text: 'direct' });
    await until(() => b.cursor(chat.id) === sent.seq, 'the live message');
  });

  // Last: it stops one of the two listed nodes.
  it('when the node of its socket goes away, then the client reconnects to the other node and shows what was sent meanwhile, once and in order', async () => {
    const [alice, bob] = await newUsers(stack, 2);
    const chat = await newGroup(stack, alice, [bob]);
    await waitFor(async () => ((await endpoints()).nodes.length === 2 ? true : undefined), 5000, 'both nodes listed');
    const b = clientFor(stack, bob);
    b.track(chat.id);
    await b.connect();
    const [mine, other] = b.socketUrl === wsUrlOfNode(nodeA) ? [nodeA, nodeB] : [nodeB, nodeA];
    expect(b.socketUrl).toBe(wsUrlOfNode(mine));
    const a = restFor(stack, alice);
    const before = await a.sendMessage(chat.id, { text: 'before' });
    await until(() => b.cursor(chat.id) === before.seq, 'the first message');

    await mine.stop();
    const during = await a.sendMessage(chat.id, { text: 'while moving' });
    await until(() => b.cursor(chat.id) === during.seq, 'the message sent while moving');
    expect(b.socketUrl).toBe(wsUrlOfNode(other));
    expect(b.timeline(chat.id).map((m) => m.text)).toEqual(['before', 'while moving']);
    expect(b.stats.reconnects).toBeGreaterThanOrEqual(1);
  });
});

describe('ChatClient: no realtime node listed', () => {
  let unlisted: Stack;
  beforeAll(async () => {
    unlisted = await startClientStack({ REALTIME_LISTED: 'false' });
  });
  afterAll(() => unlisted?.stop());

  it('when no node is listed, then the client falls back to the gateway /ws and works there', async () => {
    expect((await unlisted.api.get('/api/v1/realtime')).body).toEqual({ url: null, nodes: [] });
    const [alice, bob] = await newUsers(unlisted, 2);
    const chat = await newGroup(unlisted, alice, [bob]);
    const b = clientFor(unlisted, bob);
    b.track(chat.id);
    await b.connect();
    expect(b.socketUrl).toBe(`${unlisted.gateway.url.replace(/^http/, 'ws')}/ws`);
    const sent = await restFor(unlisted, alice).sendMessage(chat.id, { text: 'through the gateway' });
    await until(() => b.cursor(chat.id) === sent.seq, 'the live message');
  });
});
