import { randomUUID } from 'node:crypto';
import { liveSubjects } from '@chat/contracts';
import { type Caller, type RunningService, type Stack, as, uniqueUsername } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RealtimeNode } from '../src/node.js';
import { natsOf, newUsers } from './helpers.js';
import { ADMIN_KEY, startRealtimeNode, startRealtimeStack, wsUrl } from './stack.js';
import { WsClient } from './ws-client.js';

let stack: Stack;
let url: string;
beforeAll(async () => {
  stack = await startRealtimeStack({ presence: true, env: { PRESENCE_OFFLINE_GRACE_MS: '100' } });
  url = wsUrl(stack.gateway.url);
});
afterAll(async () => {
  WsClient.terminateAll();
  await stack?.stop();
});

type Who = Caller & { appId: string };

/**
 * Users whose profiles the user service holds (auth's `user.created` may still be in its outbox
 * right after registration; reading one's own profile creates it), so privacy answers know them.
 */
async function known<T extends Who>(users: T[]): Promise<T[]> {
  for (const u of users) expect((await as(stack, u).get(`/users/${u.id}`)).status).toBe(200);
  return users;
}

const sameAppUsers = async (n: number) => known(await newUsers(stack, n));

/** `n` users of one new app (tenant), minted by its backend. */
async function otherAppUsers(n: number): Promise<Who[]> {
  const app = await stack.api.post('/api/v1/admin/apps', { name: 'Other app' }, { headers: { 'x-admin-key': ADMIN_KEY } });
  expect(app.status).toBe(201);
  const headers = { 'x-api-key': app.body.apiKey, 'x-api-secret': app.body.apiSecret };
  const users: Who[] = [];
  for (let i = 0; i < n; i++) {
    const res = await stack.api.post('/api/v1/server/token', { externalId: uniqueUsername('ext') }, { headers });
    expect(res.status).toBe(200);
    users.push({ id: res.body.user.id, appId: app.body.app.id, accessToken: res.body.tokens.accessToken });
  }
  return known(users);
}

const presenceOf = (client: WsClient, userId: string) => client.events('presence').filter((f) => f.d.userId === userId);
const waitPresence = (client: WsClient, userId: string, status: string) =>
  client.next((f) => f.t === 'presence' && f.d.userId === userId && f.d.status === status, 8000, `${status} of ${userId}`);
const presenceSubscriptions = (node: RunningService) => (node.booted.handle as unknown as { node: RealtimeNode }).node.sizes().subscriptions.presence;

describe('who can be watched', () => {
  it('when a user of another app subscribes to a user, then it gets offline and none of the user’s changes', async () => {
    const [alice] = await sameAppUsers(1);
    const [bob, carol] = await otherAppUsers(2);
    const b = await WsClient.ready(url, bob!.accessToken);
    const { presences } = await b.ack('presence.subscribe', { userIds: [alice!.id, carol!.id] });
    expect(presences).toEqual([
      { userId: alice!.id, status: 'offline' },
      { userId: carol!.id, status: 'offline' },
    ]);
    const a = await WsClient.ready(url, alice!.accessToken);
    expect(await a.ack('presence.set', { status: 'dnd', customStatus: 'secret plans' })).toEqual({});
    // Carol (Bob's own app) comes online after Alice's changes went out: her frame is the marker.
    await WsClient.ready(url, carol!.accessToken);
    await waitPresence(b, carol!.id, 'online');
    expect(presenceOf(b, alice!.id)).toEqual([]);
  });

  it('when a socket subscribes to an unknown id or a deleted account, then each is offline and not watched at all', async () => {
    const node = await startRealtimeNode(stack);
    const nats = await natsOf(stack);
    try {
      const [viewer, gone, friend] = await sameAppUsers(3);
      expect((await as(stack, gone!).delete('/users/me', { password: gone!.password })).status).toBe(204);
      const unknown = randomUUID();
      const v = await WsClient.ready(wsUrl(node.url), viewer!.accessToken);
      const { presences } = await v.ack('presence.subscribe', { userIds: [unknown, gone!.id] });
      expect(presences).toEqual([
        { userId: unknown, status: 'offline' },
        { userId: gone!.id, status: 'offline' },
      ]);
      expect(presenceSubscriptions(node)).toBe(0);
      // Frames on their subjects (as a publisher would send them) reach nobody; the friend's frame after them does.
      await v.ack('presence.subscribe', { userIds: [friend!.id] });
      expect(presenceSubscriptions(node)).toBe(1);
      for (const id of [unknown, gone!.id])
        nats.publish(liveSubjects.presence(viewer!.appId, id), { op: 'event', t: 'presence', d: { userId: id, status: 'online' } });
      nats.publish(liveSubjects.presence(viewer!.appId, friend!.id), { op: 'event', t: 'presence', d: { userId: friend!.id, status: 'away' } });
      await waitPresence(v, friend!.id, 'away');
      expect(v.events('presence').map((f) => f.d.userId)).toEqual([friend!.id]);
    } finally {
      await nats.close();
      await node.stop();
    }
  });

  it('when a user of the same app who blocked nobody is watched, then the watcher gets their changes live', async () => {
    const [alice, bob] = await sameAppUsers(2);
    const b = await WsClient.ready(url, bob!.accessToken);
    expect((await b.ack('presence.subscribe', { userIds: [alice!.id] })).presences).toEqual([{ userId: alice!.id, status: 'offline' }]);
    const a = await WsClient.ready(url, alice!.accessToken);
    await waitPresence(b, alice!.id, 'online');
    await a.ack('presence.set', { status: 'dnd', customStatus: 'focus' });
    expect((await waitPresence(b, alice!.id, 'dnd')).d).toEqual({ userId: alice!.id, status: 'dnd', customStatus: 'focus' });
  });
});

describe('blocks end watches', () => {
  it('when the watched user blocks the watcher, then the watch ends at once (offline, then nothing) and an unblock does not bring it back until the watcher subscribes again', async () => {
    const [xavier, yvonne, zoe] = await sameAppUsers(3);
    const y = await WsClient.ready(url, yvonne!.accessToken);
    await y.ack('presence.subscribe', { userIds: [xavier!.id, zoe!.id] });
    const x = await WsClient.ready(url, xavier!.accessToken);
    await waitPresence(y, xavier!.id, 'online');

    expect((await as(stack, xavier!).post('/users/me/blocked', { userId: yvonne!.id })).status).toBe(201);
    expect((await waitPresence(y, xavier!.id, 'offline')).d).toEqual({ userId: xavier!.id, status: 'offline' });
    const seenBefore = presenceOf(y, xavier!.id).length;
    await x.ack('presence.set', { status: 'dnd' });
    const z = await WsClient.ready(url, zoe!.accessToken);
    await waitPresence(y, zoe!.id, 'online');
    expect(presenceOf(y, xavier!.id)).toHaveLength(seenBefore);

    expect((await as(stack, xavier!).delete(`/users/me/blocked/${yvonne!.id}`)).status).toBe(204);
    await x.ack('presence.set', { status: 'away' });
    await z.ack('presence.set', { status: 'dnd' });
    await waitPresence(y, zoe!.id, 'dnd');
    expect(presenceOf(y, xavier!.id)).toHaveLength(seenBefore);

    // Subscribing again is the way back.
    expect((await y.ack('presence.subscribe', { userIds: [xavier!.id] })).presences).toEqual([{ userId: xavier!.id, status: 'away' }]);
    await x.ack('presence.set', { status: 'online' });
    await waitPresence(y, xavier!.id, 'online');
  });

  it('when the watcher blocks the watched user, then its own watch of them ends too, on every one of its sockets', async () => {
    const [xavier, yvonne, zoe] = await sameAppUsers(3);
    const [y1, y2] = await Promise.all([WsClient.ready(url, yvonne!.accessToken), WsClient.ready(url, yvonne!.accessToken)]);
    for (const y of [y1!, y2!]) await y.ack('presence.subscribe', { userIds: [xavier!.id, zoe!.id] });
    const x = await WsClient.ready(url, xavier!.accessToken);
    for (const y of [y1!, y2!]) await waitPresence(y, xavier!.id, 'online');

    expect((await as(stack, yvonne!).post('/users/me/blocked', { userId: xavier!.id })).status).toBe(201);
    for (const y of [y1!, y2!]) await waitPresence(y, xavier!.id, 'offline');
    await x.ack('presence.set', { status: 'dnd' });
    await WsClient.ready(url, zoe!.accessToken);
    for (const y of [y1!, y2!]) {
      await waitPresence(y, zoe!.id, 'online');
      expect(presenceOf(y, xavier!.id).map((f) => f.d.status)).toEqual(['online', 'offline']);
    }
  });
});
