import { connectRedis } from '@chat/service-kit';
import { type RunningService, type Stack, type TestUser, as, waitFor } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { natsOf, newGroup, newUsers as registerUsers } from './helpers.js';
import { startRealtimeNode, startRealtimeStack, wsUrl } from './stack.js';
import { WsClient } from './ws-client.js';

let stack: Stack;
let url: string;
let node2: RunningService;
beforeAll(async () => {
  stack = await startRealtimeStack({ presence: true, env: { PRESENCE_OFFLINE_GRACE_MS: '100' } });
  url = wsUrl(stack.gateway.url);
  node2 = await startRealtimeNode(stack);
});
afterAll(async () => {
  WsClient.terminateAll();
  await node2?.stop();
  await stack?.stop();
});

/**
 * Fresh users whose profiles the user service holds (auth's `user.created` may still be in its
 * outbox right after registration; reading one's own profile creates it): presence lets only
 * known users be watched.
 */
async function newUsers(stack: Stack, n: number): Promise<TestUser[]> {
  const users = await registerUsers(stack, n);
  for (const u of users) expect((await as(stack, u).get(`/users/${u.id}`)).status).toBe(200);
  return users;
}

const presenceOf = (client: WsClient, userId: string) => client.events('presence').filter((f) => f.d.userId === userId);

/** The user's status through the presence API, as `viewer` sees it. */
async function statusThroughApi(viewer: TestUser, userId: string): Promise<string> {
  const res = await as(stack, viewer).get(`/presence/users?ids=${userId}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data[0].status;
}

/**
 * Deletes this deployment's presence keys, as a Redis restart without persistence would (the
 * server is shared with other test files, so only this prefix). Returns the keys deleted.
 */
async function wipePresenceKeys(): Promise<string[]> {
  const redis = await connectRedis(stack.env.REDIS_URL!);
  const deleted: string[] = [];
  try {
    for await (const keys of redis.scanIterator({ MATCH: `${stack.env.REDIS_PREFIX}presence:*`, COUNT: 500 })) {
      if (keys.length > 0) await redis.del(keys);
      deleted.push(...keys);
    }
  } finally {
    await redis.close();
  }
  return deleted;
}

/** The connection ids presence holds for the user in Redis. */
async function devicesInRedis(user: TestUser): Promise<string[]> {
  const redis = await connectRedis(stack.env.REDIS_URL!);
  try {
    return await redis.zRange(`${stack.env.REDIS_PREFIX}presence:dev:${user.appId}:${user.id}`, 0, -1);
  } finally {
    await redis.close();
  }
}

describe('typing', () => {
  it('when a member starts and stops typing, then the other members get typing events and the typist’s own sockets do not', async () => {
    const [alice, bob] = await newUsers(stack, 2);
    const chatId = await newGroup(stack, alice!, [bob!]);
    const [a, b] = await Promise.all([WsClient.ready(url, alice!.accessToken), WsClient.ready(wsUrl(node2.url), bob!.accessToken)]);
    expect(await a.ack('typing.start', { chatId })).toEqual({});
    expect(await b.next((f) => f.t === 'typing')).toEqual({ op: 'event', t: 'typing', chatId, d: { userId: alice!.id, typing: true } });
    expect(await a.ack('typing.stop', { chatId })).toEqual({});
    await b.next((f) => f.t === 'typing' && f.d.typing === false);
    // Bob types back: Alice sees that, and never her own.
    await b.ack('typing.start', { chatId });
    await a.next((f) => f.t === 'typing' && f.d.userId === bob!.id);
    expect(a.events('typing').filter((f) => f.d.userId === alice!.id)).toEqual([]);
  });

  it('when an outsider sends typing into a chat, then an error frame answers and the members get nothing', async () => {
    const [alice, bob, mallory] = await newUsers(stack, 3);
    const chatId = await newGroup(stack, alice!, [bob!]);
    const [a, b, m] = await Promise.all([
      WsClient.ready(url, alice!.accessToken),
      WsClient.ready(url, bob!.accessToken),
      WsClient.ready(url, mallory!.accessToken),
    ]);
    const refused = await m.request('typing.start', { chatId });
    expect(refused).toEqual({
      op: 'error',
      ref: expect.any(String),
      error: { code: expect.stringMatching(/^(not_found|forbidden)$/), message: expect.any(String) },
    });
    await a.ack('typing.start', { chatId });
    await b.next((f) => f.t === 'typing' && f.d.userId === alice!.id);
    expect(b.events('typing').filter((f) => f.d.userId === mallory!.id)).toEqual([]);
  });
});

describe('presence', () => {
  it('when a watcher on node 2 subscribes to a user who then connects, sets a status and leaves on node 1, then it sees offline, online, dnd and offline', async () => {
    const [alice, bob] = await newUsers(stack, 2);
    const b = await WsClient.ready(wsUrl(node2.url), bob!.accessToken);
    const { presences } = await b.ack('presence.subscribe', { userIds: [alice!.id] });
    expect(presences).toEqual([expect.objectContaining({ userId: alice!.id, status: 'offline' })]);
    const a = await WsClient.ready(url, alice!.accessToken);
    await b.next((f) => f.t === 'presence' && f.d.userId === alice!.id && f.d.status === 'online');
    expect(await a.ack('presence.set', { status: 'dnd', customStatus: 'focus' })).toEqual({});
    expect(await b.next((f) => f.t === 'presence' && f.d.status === 'dnd')).toEqual({
      op: 'event',
      t: 'presence',
      d: expect.objectContaining({ userId: alice!.id, status: 'dnd', customStatus: 'focus' }),
    });
    a.close();
    await b.next((f) => f.t === 'presence' && f.d.userId === alice!.id && f.d.status === 'offline', 10_000);
  });

  it('when a user blocked the watcher, then the watcher sees them offline and gets none of their changes', async () => {
    const [alice, bob, carol] = await newUsers(stack, 3);
    expect((await as(stack, alice!).post('/users/me/blocked', { userId: bob!.id })).status).toBe(201);
    const b = await WsClient.ready(wsUrl(node2.url), bob!.accessToken);
    const { presences } = await b.ack('presence.subscribe', { userIds: [alice!.id, carol!.id] });
    expect(presences.find((p: { userId: string }) => p.userId === alice!.id)).toMatchObject({ status: 'offline' });
    expect(presences.find((p: { userId: string }) => p.userId === alice!.id)).not.toHaveProperty('lastSeenAt');
    const a = await WsClient.ready(url, alice!.accessToken);
    await a.ack('presence.set', { status: 'online' });
    // Carol comes online after Alice: her event is the marker.
    await WsClient.ready(url, carol!.accessToken);
    await b.next((f) => f.t === 'presence' && f.d.userId === carol!.id && f.d.status === 'online');
    expect(presenceOf(b, alice!.id)).toEqual([]);
  });

  it('when a watcher unsubscribes, then the user’s changes stop reaching it', async () => {
    const [alice, bob, carol] = await newUsers(stack, 3);
    const b = await WsClient.ready(url, bob!.accessToken);
    await b.ack('presence.subscribe', { userIds: [alice!.id, carol!.id] });
    expect(await b.ack('presence.unsubscribe', { userIds: [alice!.id] })).toEqual({ presences: [] });
    await WsClient.ready(url, alice!.accessToken);
    await WsClient.ready(url, carol!.accessToken);
    await b.next((f) => f.t === 'presence' && f.d.userId === carol!.id);
    expect(presenceOf(b, alice!.id)).toEqual([]);
  });

  it("when Redis loses the live state while a user stays connected, then the node's next heartbeat brings the user back online, with no reconnect", async () => {
    const heartbeatMs = 500;
    const node = await startRealtimeNode(stack, { PRESENCE_HEARTBEAT_MS: String(heartbeatMs) });
    try {
      const [alice, bob] = await newUsers(stack, 2);
      const a = await WsClient.ready(wsUrl(node.url), alice!.accessToken);
      const { connectionId } = a.frames.find((f) => f.op === 'ready')!.d;
      await waitFor(async () => ((await statusThroughApi(bob!, alice!.id)) === 'online' ? true : undefined), 5000, 'alice online');

      const wiped = await wipePresenceKeys();
      expect(wiped).toContain(`${stack.env.REDIS_PREFIX}presence:user:${alice!.appId}:${alice!.id}`);

      // One interval brings the heartbeat; the rest is room for a busy machine (a device lives 35 s).
      await waitFor(async () => ((await statusThroughApi(bob!, alice!.id)) === 'online' ? true : undefined), heartbeatMs * 3, 'alice online again');
      expect(await devicesInRedis(alice!)).toEqual([connectionId]);
      expect(a.ws.readyState).toBe(a.ws.OPEN);
      expect(a.frames.filter((f) => f.op === 'ready')).toHaveLength(1);
    } finally {
      await node.stop();
    }
  });

  it('when a node holds many sockets, then their heartbeats go out a slice at a time and every socket is renewed within each interval', async () => {
    const heartbeatMs = 1500;
    const node = await startRealtimeNode(stack, { PRESENCE_HEARTBEAT_MS: String(heartbeatMs) });
    const nats = await natsOf(stack);
    try {
      const users = await newUsers(stack, 30);
      const sockets = await Promise.all(users.map((u) => WsClient.ready(wsUrl(node.url), u.accessToken)));
      const ids = new Set(sockets.map((s) => s.frames.find((f) => f.op === 'ready')!.d.connectionId as string));
      const calls: { at: number; ids: string[] }[] = [];
      const spy = nats.nc.subscribe(`${stack.env.NATS_PREFIX}rpc.presence.heartbeat`, {
        callback: (_e, m) => {
          calls.push({ at: Date.now(), ids: (m.json() as { connections: { connectionId: string }[] }).connections.map((c) => c.connectionId) });
        },
      });
      await new Promise((r) => setTimeout(r, heartbeatMs * 2));
      spy.unsubscribe();
      const ours = calls.map((c) => ({ ...c, ids: c.ids.filter((id) => ids.has(id)) })).filter((c) => c.ids.length > 0);
      // Spread: no call carries more than a few of the 30, and they come at many moments.
      expect(Math.max(...ours.map((c) => c.ids.length))).toBeLessThanOrEqual(4);
      expect(new Set(ours.map((c) => Math.floor(c.at / 50))).size).toBeGreaterThan(5);
      // Every socket renewed within one interval from the first renewal seen.
      const first = ours[0]!.at;
      const renewed = new Set(ours.filter((c) => c.at < first + heartbeatMs + 50).flatMap((c) => c.ids));
      expect(renewed).toEqual(ids);
    } finally {
      await nats.close();
      await node.stop();
    }
  });
});
