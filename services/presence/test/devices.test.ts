import { connectRedis } from '@chat/service-kit';
import { type Stack, closeStackDatabases, stackDatabase } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Live, as, newConnectionId, newUsers, presenceOf, randomUUID } from './helpers.js';
import { startPresenceStack } from './stack.js';

const DEVICE_TTL_MS = 700;
const GRACE_MS = 300;

let stack: Stack;
let live: Live;
beforeAll(async () => {
  // Two replicas: every change must still be published once.
  stack = await startPresenceStack({ PRESENCE_DEVICE_TTL_MS: String(DEVICE_TTL_MS), PRESENCE_OFFLINE_GRACE_MS: String(GRACE_MS) }, 2);
  live = await Live.record(stack);
});
afterAll(async () => {
  await live?.close();
  await closeStackDatabases();
  await stack?.stop();
});

const statuses = (userId: string) => live.presence(userId).map((d) => d.status);

/** Keeps the devices alive with a heartbeat every third of their lifetime until `stop()`. */
function keepAlive(devices: Parameters<Live['heartbeat']>[0]) {
  let running = true;
  const loop = (async () => {
    while (running) {
      await live.heartbeat(devices);
      await new Promise((r) => setTimeout(r, DEVICE_TTL_MS / 3));
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}

/**
 * A second user whose only device leaves now: once its offline is out, every grace period that
 * began before has ended too, so a change that was to come would have come.
 */
async function witness(): Promise<void> {
  const [w] = await newUsers(stack, 1);
  const c = await live.connect(w!);
  await live.waitPresence(w!.id, { status: 'online' });
  await live.disconnect(w!, c);
  await live.waitPresence(w!.id, { status: 'offline' });
}

describe('devices', () => {
  it('when the first device connects, then online is published once, and offline once after the last one leaves', async () => {
    const [user] = await newUsers(stack, 1);
    const phone = await live.connect(user!);
    const laptop = await live.connect(user!);
    await live.waitPresence(user!.id, { status: 'online' });
    const stop = keepAlive([{ who: user!, connectionId: laptop }]);

    await live.disconnect(user!, phone);
    await witness();
    expect(statuses(user!.id)).toEqual(['online']);
    expect((await presenceOf(stack, user!, [user!.id]))[user!.id].status).toBe('online');

    await stop();
    await live.disconnect(user!, laptop);
    await live.waitPresence(user!.id, { status: 'offline' });
    await witness();
    expect(statuses(user!.id)).toEqual(['online', 'offline']);
  });

  it('when a connection flaps within the grace period, then watchers see no offline until it stays away', async () => {
    const [user] = await newUsers(stack, 1);
    let c = await live.connect(user!);
    await live.waitPresence(user!.id, { status: 'online' });
    for (let i = 0; i < 5; i++) {
      await live.disconnect(user!, c);
      c = await live.connect(user!);
    }
    const stop = keepAlive([{ who: user!, connectionId: c }]);
    await witness();
    expect(statuses(user!.id)).toEqual(['online']);

    await stop();
    await live.disconnect(user!, c);
    await live.waitPresence(user!.id, { status: 'offline' });
    expect(statuses(user!.id)).toEqual(['online', 'offline']);
  });

  it('when a device misses its heartbeats (its node died), then it expires by itself and offline is published once, with the time it was last heard of', async () => {
    const [user] = await newUsers(stack, 1);
    const before = Date.now();
    await live.connect(user!);
    await live.waitPresence(user!.id, { status: 'online' });

    const frame = await live.waitPresence(user!.id, { status: 'offline' });
    const lastSeen = Date.parse(frame.lastSeenAt);
    expect(lastSeen).toBeGreaterThanOrEqual(before - 1000);
    expect(lastSeen).toBeLessThan(Date.now() - DEVICE_TTL_MS / 2);
    await witness();
    expect(statuses(user!.id)).toEqual(['online', 'offline']);
    const row = await stackDatabase(stack).one('SELECT last_seen_at FROM presence.user_presence WHERE user_id = $1', [user!.id]);
    expect(row.last_seen_at.toISOString()).toBe(frame.lastSeenAt);
  });

  it('when heartbeats keep coming, then the device outlives its lifetime many times over', async () => {
    const [user, idle] = await newUsers(stack, 2);
    const c = await live.connect(user!);
    const stop = keepAlive([{ who: user!, connectionId: c }]);
    await live.connect(idle!);
    await live.waitPresence(idle!.id, { status: 'offline' });
    await witness();
    await stop();
    expect(statuses(user!.id)).toEqual(['online']);
  });

  it('when a heartbeat races the close of its socket, then the closed socket does not come back', async () => {
    const [user] = await newUsers(stack, 1);
    const c = await live.connect(user!);
    await live.waitPresence(user!.id, { status: 'online' });
    await live.disconnect(user!, c);
    await live.heartbeat([{ who: user!, connectionId: c, active: true }]);
    await live.waitPresence(user!.id, { status: 'offline' });
    await witness();
    expect(statuses(user!.id)).toEqual(['online', 'offline']);
  });

  it('when Redis loses the live state, then the next heartbeat brings the device back with the status the user chose', async () => {
    const [user, viewer] = await newUsers(stack, 2);
    await as(stack, user!).put('/presence/me', { status: 'dnd', customStatus: 'Focus' });
    const c = await live.connect(user!);
    await live.waitPresence(user!.id, { status: 'dnd' });
    const redis = await connectRedis(stack.env.REDIS_URL!);
    const prefix = `${stack.env.REDIS_PREFIX}presence:`;
    await redis.del([`${prefix}user:${user!.appId}:${user!.id}`, `${prefix}dev:${user!.appId}:${user!.id}`]);
    await redis.close();
    expect((await presenceOf(stack, viewer!, [user!.id]))[user!.id].status).toBe('offline');

    await live.heartbeat([{ who: user!, connectionId: c }]);
    expect((await presenceOf(stack, viewer!, [user!.id]))[user!.id]).toEqual({ userId: user!.id, status: 'dnd', customStatus: 'Focus' });
  });

  it('when the device messages are malformed, then a validation error comes back, never a failure', async () => {
    const [user] = await newUsers(stack, 1);
    const device = { appId: user!.appId, userId: user!.id, connectionId: newConnectionId() };
    const invalid = { ok: false, error: { code: 'validation_failed', status: 400 } };
    expect(await live.rpc('rpc.presence.connect', { ...device, sessionId: randomUUID() })).toMatchObject(invalid);
    expect(await live.rpc('rpc.presence.connect', { ...device, connectionId: 'a:b', sessionId: randomUUID(), nodeId: 'n' })).toMatchObject(invalid);
    expect(await live.rpc('rpc.presence.disconnect', { ...device, userId: 'me' })).toMatchObject(invalid);
    expect(await live.rpc('rpc.presence.heartbeat', { nodeId: 'n', connections: [{ ...device }] })).toMatchObject(invalid);
    expect(await live.rpc('rpc.presence.heartbeat', { nodeId: 'n', connections: 'all' })).toMatchObject(invalid);
    expect(await live.ok('rpc.presence.heartbeat', { nodeId: 'n', connections: [] })).toEqual({});
  });
});
