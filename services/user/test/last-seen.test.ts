import { randomUUID } from 'node:crypto';
import { boot as bootAuth } from '@chat/auth';
import { boot as bootGateway } from '@chat/gateway';
import { boot as bootPresence } from '@chat/presence';
import { boot as bootUser } from '@chat/user';
import { type EventRecorder, type Stack, type TestUser, as, recordEvents, registerUser, startStack, waitFor } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const base = { RATE_LIMIT_REGISTER_PER_HOUR: '10000', RATE_LIMIT_LOGIN_PER_MINUTE: '10000' };

let stack: Stack;
let bus: EventRecorder;
beforeAll(async () => {
  stack = await startStack({
    gateway: bootGateway,
    services: { auth: bootAuth, user: bootUser, presence: bootPresence },
    env: { ...base, PRESENCE_OFFLINE_GRACE_MS: '50', PRESENCE_SWEEP_INTERVAL_MS: '50' },
  });
  bus = await recordEvents(stack, 'rt.presence.>');
});
afterAll(async () => {
  await bus?.close();
  await stack?.stop();
});

async function rpc(subject: string, body: unknown): Promise<void> {
  expect(await bus.rpc(subject, body)).toMatchObject({ ok: true });
}

/** The user's only device connects (and, unless `stay`, leaves): presence then knows when it was last seen. */
async function seen(user: TestUser, stay = false): Promise<void> {
  const device = { appId: user.appId, userId: user.id, connectionId: `c-${randomUUID()}` };
  await rpc('rpc.presence.connect', { ...device, sessionId: randomUUID(), nodeId: 'node-a' });
  if (stay) return;
  await rpc('rpc.presence.disconnect', device);
  const offline = () =>
    bus.received.find(
      (r) => r.subject.endsWith(`rt.presence.${user.appId}.${user.id}`) && (r.event as unknown as { d: { status: string } }).d.status === 'offline',
    );
  await waitFor(offline, 5000, 'offline published');
}

async function profile(viewer: TestUser, userId: string | 'me'): Promise<Record<string, any>> {
  const res = await as(stack, viewer).get(`/users/${userId}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

const newUsers = (n: number) => Promise.all(Array.from({ length: n }, () => registerUser(stack.api)));

describe('last seen in profiles', () => {
  it('when a user was seen and shows last seen to everyone, then their profile carries it for others and themselves', async () => {
    const [viewer, user] = await newUsers(2);
    const before = Date.now();
    await seen(user!);
    const shown = await profile(viewer!, user!.id);
    expect(Date.parse(shown.lastSeenAt)).toBeGreaterThanOrEqual(before - 1000);
    expect((await profile(user!, 'me')).lastSeenAt).toBe(shown.lastSeenAt);
  });

  it('when a user is online, then the last-seen time is about now', async () => {
    const [viewer, user] = await newUsers(2);
    await seen(user!, true);
    const before = Date.now();
    expect(Date.parse((await profile(viewer!, user!.id)).lastSeenAt)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('when the last seen is "nobody", or "contacts" and the viewer is not one, or a block stands between them, then the viewer gets no last-seen time', async () => {
    const [viewer, contact, nobody, contactsOnly, blocker] = await newUsers(5);
    await as(stack, nobody!).patch('/users/me/settings', { privacy: { lastSeen: 'nobody' } });
    await as(stack, contactsOnly!).patch('/users/me/settings', { privacy: { lastSeen: 'contacts' } });
    await as(stack, contactsOnly!).post('/users/me/contacts', { userId: contact!.id });
    await as(stack, blocker!).post('/users/me/blocked', { userId: viewer!.id });
    for (const u of [nobody!, contactsOnly!, blocker!]) await seen(u);

    expect((await profile(viewer!, nobody!.id)).lastSeenAt).toBeUndefined();
    expect((await profile(viewer!, contactsOnly!.id)).lastSeenAt).toBeUndefined();
    expect((await profile(contact!, contactsOnly!.id)).lastSeenAt).toEqual(expect.any(String));
    expect((await profile(viewer!, blocker!.id)).lastSeenAt).toBeUndefined();
    expect((await profile(nobody!, 'me')).lastSeenAt).toEqual(expect.any(String));
  });

  it('when a user was never seen, then the profile has no last-seen time', async () => {
    const [viewer, user] = await newUsers(2);
    expect((await profile(viewer!, user!.id)).lastSeenAt).toBeUndefined();
  });
});

describe('last seen without the presence service', () => {
  it('when presence is down, then the profile is still served, without a last-seen time', async () => {
    const alone = await startStack({ gateway: bootGateway, services: { auth: bootAuth, user: bootUser }, env: base });
    try {
      const [viewer, user] = await Promise.all([registerUser(alone.api), registerUser(alone.api)]);
      const res = await as(alone, viewer).get(`/users/${user.id}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: user.id });
      expect(res.body.lastSeenAt).toBeUndefined();
      expect((await as(alone, user).get('/users/me')).status).toBe(200);
    } finally {
      await alone.stop();
    }
  });
});
