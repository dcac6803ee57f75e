import { type Stack, closeStackDatabases, stackDatabase, waitFor } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Live, as, expectInvalid, newAppUser, newUsers, presenceOf, randomUUID, setPrivacy } from './helpers.js';
import { startPresenceStack } from './stack.js';

let stack: Stack;
let live: Live;
beforeAll(async () => {
  stack = await startPresenceStack({ PRESENCE_OFFLINE_GRACE_MS: '100' });
  live = await Live.record(stack);
});
afterAll(async () => {
  await live?.close();
  await closeStackDatabases();
  await stack?.stop();
});

/** Connects and disconnects the user's only device, then waits until the offline is published. */
async function seenAndGone(user: { id: string; appId: string }): Promise<Record<string, any>> {
  const connection = await live.connect(user);
  await live.waitPresence(user.id, { status: 'online' });
  await live.disconnect(user, connection);
  return live.waitPresence(user.id, { status: 'offline' });
}

describe('GET /presence/users', () => {
  it('when users are connected, never seen, unknown or of another app, then each is reported once, in the order asked, the others offline without a last-seen time', async () => {
    const [viewer, on, never] = await newUsers(stack, 3);
    const foreign = await newAppUser(stack);
    await live.connect(on!);
    await live.connect(foreign);
    await live.waitPresence(on!.id, { status: 'online' });
    const unknown = randomUUID();

    const res = await as(stack, viewer!).get(`/presence/users?ids=${[on!.id, never!.id, unknown, foreign.id, on!.id].join(',')}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: [
        { userId: on!.id, status: 'online' },
        { userId: never!.id, status: 'offline' },
        { userId: unknown, status: 'offline' },
        { userId: foreign.id, status: 'offline' },
      ],
    });
  });

  it('when a user went offline, then others see the last-seen time (privacy "everyone") and the broadcast carries it too', async () => {
    const [viewer, user] = await newUsers(stack, 2);
    const frame = await seenAndGone(user!);
    expect(frame.lastSeenAt).toEqual(expect.any(String));

    const seen = (await presenceOf(stack, viewer!, [user!.id]))[user!.id];
    expect(seen).toEqual({ userId: user!.id, status: 'offline', lastSeenAt: frame.lastSeenAt });
    const row = await stackDatabase(stack).one('SELECT last_seen_at FROM presence.user_presence WHERE user_id = $1', [user!.id]);
    expect(row.last_seen_at.toISOString()).toBe(frame.lastSeenAt);
  });

  it('when the last seen is "nobody", then no one else sees it, the broadcast leaves it out, and the user still sees their own', async () => {
    const [viewer, user] = await newUsers(stack, 2);
    await setPrivacy(stack, user!, { lastSeen: 'nobody' });
    const frame = await seenAndGone(user!);
    expect(frame).toEqual({ userId: user!.id, status: 'offline' });

    expect((await presenceOf(stack, viewer!, [user!.id]))[user!.id]).toEqual({ userId: user!.id, status: 'offline' });
    expect((await presenceOf(stack, user!, [user!.id]))[user!.id]).toEqual({ userId: user!.id, status: 'offline', lastSeenAt: expect.any(String) });
  });

  it('when the last seen is "contacts", then the user\'s contacts see it and others do not', async () => {
    const [contact, stranger, user] = await newUsers(stack, 3);
    await setPrivacy(stack, user!, { lastSeen: 'contacts' });
    expect((await as(stack, user!).post('/users/me/contacts', { userId: contact!.id })).status).toBe(201);
    const frame = await seenAndGone(user!);
    expect(frame.lastSeenAt).toBeUndefined();

    expect((await presenceOf(stack, contact!, [user!.id]))[user!.id].lastSeenAt).toEqual(expect.any(String));
    expect((await presenceOf(stack, stranger!, [user!.id]))[user!.id]).toEqual({ userId: user!.id, status: 'offline' });
  });

  it('when a user blocked the viewer, then the viewer sees them offline without last seen, and the other way round too', async () => {
    const [viewer, blocker] = await newUsers(stack, 2);
    await live.connect(blocker!);
    await live.connect(viewer!);
    await live.waitPresence(blocker!.id, { status: 'online' });
    await live.waitPresence(viewer!.id, { status: 'online' });
    expect((await as(stack, blocker!).post('/users/me/blocked', { userId: viewer!.id })).status).toBe(201);

    expect((await presenceOf(stack, viewer!, [blocker!.id]))[blocker!.id]).toEqual({ userId: blocker!.id, status: 'offline' });
    expect((await presenceOf(stack, blocker!, [viewer!.id]))[viewer!.id]).toEqual({ userId: viewer!.id, status: 'offline' });
  });

  it('when the ids are too many, malformed, missing, repeated as a parameter or joined by unknown parameters, then 400', async () => {
    const [viewer] = await newUsers(stack, 1);
    const api = as(stack, viewer!);
    const ids = (n: number) => Array.from({ length: n }, () => randomUUID()).join(',');
    const tooMany = await api.get(`/presence/users?ids=${ids(501)}`);
    expectInvalid(tooMany, 'query.ids');
    expect(tooMany.body.errors[0].message).toMatch(/500/);
    expectInvalid(await api.get(`/presence/users?ids=${randomUUID()},nope`), 'query.ids.1');
    expectInvalid(await api.get('/presence/users?ids='), 'query.ids.0');
    expectInvalid(await api.get('/presence/users'), 'query.ids');
    expectInvalid(await api.get(`/presence/users?ids=${randomUUID()}&ids=${randomUUID()}`), 'query.ids');
    expectInvalid(await api.get(`/presence/users?ids=${randomUUID()}&all=1`), 'query.all');
    expect((await api.get(`/presence/users?ids=${ids(500)}`)).status).toBe(200);
  });

  it('when called without a token, then 401', async () => {
    expect((await stack.api.get(`/api/v1/presence/users?ids=${randomUUID()}`)).status).toBe(401);
  });
});

describe('PUT /presence/me', () => {
  it('when a connected user chooses dnd with a custom status, then others see it, watchers get it, and the answer is the own presence', async () => {
    const [viewer, user] = await newUsers(stack, 2);
    await live.connect(user!);
    await live.waitPresence(user!.id, { status: 'online' });

    const res = await as(stack, user!).put('/presence/me', { status: 'dnd', customStatus: '  In a meeting ' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ userId: user!.id, status: 'dnd', customStatus: 'In a meeting', seenAs: 'dnd' });
    expect(await live.waitPresence(user!.id, { status: 'dnd' })).toEqual({ userId: user!.id, status: 'dnd', customStatus: 'In a meeting' });
    expect((await presenceOf(stack, viewer!, [user!.id]))[user!.id]).toEqual({ userId: user!.id, status: 'dnd', customStatus: 'In a meeting' });
  });

  it('when the custom status is left out it is kept, and null or empty clears it', async () => {
    const [user] = await newUsers(stack, 1);
    const api = as(stack, user!);
    expect((await api.put('/presence/me', { status: 'away', customStatus: 'Lunch' })).body.customStatus).toBe('Lunch');
    expect((await api.put('/presence/me', { status: 'online' })).body).toMatchObject({ status: 'online', customStatus: 'Lunch', seenAs: 'offline' });
    expect((await api.put('/presence/me', { status: 'online', customStatus: null })).body.customStatus).toBeNull();
    await api.put('/presence/me', { status: 'online', customStatus: 'Back' });
    expect((await api.put('/presence/me', { status: 'online', customStatus: '   ' })).body.customStatus).toBeNull();
  });

  it('when a connected user goes invisible, then watchers get offline at once, others see offline without custom status, and the user sees "invisible"', async () => {
    const [viewer, user] = await newUsers(stack, 2);
    await as(stack, user!).put('/presence/me', { status: 'online', customStatus: 'Busy' });
    await live.connect(user!);
    await live.waitPresence(user!.id, { status: 'online' });

    const res = await as(stack, user!).put('/presence/me', { status: 'invisible' });
    expect(res.body).toEqual({ userId: user!.id, status: 'invisible', customStatus: 'Busy', seenAs: 'offline' });
    const frame = await live.waitPresence(user!.id, { status: 'offline' });
    expect(frame).toEqual({ userId: user!.id, status: 'offline', lastSeenAt: expect.any(String) });
    expect((await presenceOf(stack, viewer!, [user!.id]))[user!.id]).toEqual({ userId: user!.id, status: 'offline', lastSeenAt: frame.lastSeenAt });

    // A second device while invisible changes nothing others can see.
    await live.connect(user!);
    await as(stack, user!).put('/presence/me', { status: 'invisible', customStatus: 'Still busy' });
    expect((await presenceOf(stack, viewer!, [user!.id]))[user!.id]).toEqual({ userId: user!.id, status: 'offline', lastSeenAt: frame.lastSeenAt });
    await as(stack, user!).put('/presence/me', { status: 'online' });
    await live.waitPresence(user!.id, { status: 'online' }, 2);
    expect(live.presence(user!.id).map((d) => d.status)).toEqual(['online', 'offline', 'online']);
  });

  it('when the body is not valid, then 400 naming the field', async () => {
    const [user] = await newUsers(stack, 1);
    const api = as(stack, user!);
    expectInvalid(await api.put('/presence/me', { status: 'offline' }), 'status');
    expectInvalid(await api.put('/presence/me', {}), 'status');
    expectInvalid(await api.put('/presence/me', { status: 'online', customStatus: 'x'.repeat(141) }), 'customStatus');
    expectInvalid(await api.put('/presence/me', { status: 'online', customStatus: 7 }), 'customStatus');
    expectInvalid(await api.put('/presence/me', { status: 'online', mood: 'happy' }), 'mood');
    expect((await api.put('/presence/me', { status: 'online', customStatus: 'x'.repeat(140) })).status).toBe(200);
  });
});

describe('rpc.presence.watch, rpc.presence.set and rpc.presence.last-seen', () => {
  it('when a viewer watches users, then it gets each presence as it may see it and the users blocked either way are hidden', async () => {
    const [viewer, friend, blocker, blocked] = await newUsers(stack, 4);
    for (const u of [friend!, blocker!, blocked!]) await live.connect(u);
    await live.waitPresence(blocked!.id, { status: 'online' });
    await as(stack, blocker!).post('/users/me/blocked', { userId: viewer!.id });
    await as(stack, viewer!).post('/users/me/blocked', { userId: blocked!.id });

    const data = await live.ok('rpc.presence.watch', { appId: viewer!.appId, viewerId: viewer!.id, userIds: [friend!.id, blocker!.id, blocked!.id] });
    expect(data).toEqual({
      presences: [
        { userId: friend!.id, status: 'online' },
        { userId: blocker!.id, status: 'offline' },
        { userId: blocked!.id, status: 'offline' },
      ],
      hidden: [blocker!.id, blocked!.id],
    });
  });

  it('when the watch request is malformed or too large, then a validation error comes back at once', async () => {
    const [viewer] = await newUsers(stack, 1);
    const base = { appId: viewer!.appId, viewerId: viewer!.id };
    expect(await live.rpc('rpc.presence.watch', { ...base, userIds: Array.from({ length: 501 }, () => randomUUID()) })).toMatchObject({
      ok: false,
      error: { code: 'validation_failed', status: 400 },
    });
    expect(await live.rpc('rpc.presence.watch', { ...base, userIds: ['nope'] })).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    expect(await live.rpc('rpc.presence.watch', { ...base, userIds: [] })).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
  });

  it('when set over rpc, then it acts as PUT /presence/me', async () => {
    const [user] = await newUsers(stack, 1);
    await live.connect(user!);
    await live.waitPresence(user!.id, { status: 'online' });
    const data = await live.ok('rpc.presence.set', { appId: user!.appId, userId: user!.id, status: 'away', customStatus: 'brb' });
    expect(data).toEqual({ presence: { userId: user!.id, status: 'away', customStatus: 'brb', seenAs: 'away' } });
    expect(await live.waitPresence(user!.id, { status: 'away' })).toEqual({ userId: user!.id, status: 'away', customStatus: 'brb' });
    expect(await live.rpc('rpc.presence.set', { appId: user!.appId, userId: user!.id, status: 'gone' })).toMatchObject({
      ok: false,
      error: { code: 'validation_failed' },
    });
  });

  it('when the user service asks for last-seen times, then it gets them raw (privacy is its own), now for those online, null for the unknown', async () => {
    const [hidden, on] = await newUsers(stack, 2);
    await setPrivacy(stack, hidden!, { lastSeen: 'nobody' });
    const frame = await seenAndGone(hidden!);
    const seen = await live.ok('rpc.presence.last-seen', { appId: hidden!.appId, userIds: [hidden!.id] });
    expect(seen.users).toEqual([{ userId: hidden!.id, lastSeenAt: expect.any(String) }]);
    expect(Math.abs(Date.parse(seen.users[0].lastSeenAt) - Date.parse((await presenceOf(stack, hidden!, [hidden!.id]))[hidden!.id].lastSeenAt))).toBe(0);
    expect(frame.lastSeenAt).toBeUndefined();

    await live.connect(on!);
    await live.waitPresence(on!.id, { status: 'online' });
    const before = Date.now();
    const unknown = randomUUID();
    const data = await live.ok('rpc.presence.last-seen', { appId: on!.appId, userIds: [on!.id, unknown] });
    expect(Date.parse(data.users[0].lastSeenAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(data.users[1]).toEqual({ userId: unknown, lastSeenAt: null });
  });
});

describe('account deletion', () => {
  it('when an account is deleted, then its stored presence goes and others see it offline without a last-seen time', async () => {
    const [viewer, user] = await newUsers(stack, 2);
    await seenAndGone(user!);
    await as(stack, user!).put('/presence/me', { status: 'dnd', customStatus: 'Leaving' });
    const db = stackDatabase(stack);
    expect(await db.oneOrNone('SELECT 1 FROM presence.user_presence WHERE user_id = $1', [user!.id])).not.toBeNull();

    expect((await stack.api.request('DELETE', '/api/v1/users/me', { token: user!.accessToken, body: { password: user!.password } })).status).toBe(204);
    await waitFor(
      async () => ((await db.oneOrNone('SELECT 1 FROM presence.user_presence WHERE user_id = $1', [user!.id])) === null ? true : undefined),
      8000,
      'presence row removed',
    );
    expect((await presenceOf(stack, viewer!, [user!.id]))[user!.id]).toEqual({ userId: user!.id, status: 'offline' });
  });
});

describe('ops', () => {
  it('when scraped, then /metrics reports online users and published transitions', async () => {
    const [user] = await newUsers(stack, 1);
    await live.connect(user!);
    await live.waitPresence(user!.id, { status: 'online' });
    const text = await (await fetch(`${stack.services.presence!.opsUrl}/metrics`)).text();
    expect(text).toMatch(/^presence_online_users\{[^}]*\} [1-9]\d*$/m);
    expect(text).toMatch(/^presence_transitions_total\{[^}]*status="online"[^}]*\} [1-9]\d*$/m);
  });
});
