import { type RunningService, type Stack, as } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newGroup, newUsers } from './helpers.js';
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

const presenceOf = (client: WsClient, userId: string) => client.events('presence').filter((f) => f.d.userId === userId);

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
    const [a, b, m] = await Promise.all([WsClient.ready(url, alice!.accessToken), WsClient.ready(url, bob!.accessToken), WsClient.ready(url, mallory!.accessToken)]);
    const refused = await m.request('typing.start', { chatId });
    expect(refused).toEqual({ op: 'error', ref: expect.any(String), error: { code: expect.stringMatching(/^(not_found|forbidden)$/), message: expect.any(String) } });
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
    expect(await b.next((f) => f.t === 'presence' && f.d.status === 'dnd')).toEqual({ op: 'event', t: 'presence', d: expect.objectContaining({ userId: alice!.id, status: 'dnd', customStatus: 'focus' }) });
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
});
