import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { type Stack, registerUser, waitFor } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_APP_ID, anAvatarId, as, closeDatabases, database, expectInvalid, expectProblem, natsFor, newAppUser, newUser, profileRow } from './helpers.js';
import { startUserStack } from './stack.js';

let stack: Stack;
let nc: NatsConnection;
const events: { type: string; data: Record<string, unknown> }[] = [];

beforeAll(async () => {
  stack = await startUserStack();
  ({ nc } = await natsFor(stack));
  const sub = nc.subscribe(`${stack.env.NATS_PREFIX}evt.user.>`);
  void (async () => {
    for await (const msg of sub) events.push(msg.json());
  })();
  await nc.flush();
});
afterAll(async () => {
  await nc?.drain();
  await closeDatabases();
  await stack?.stop();
});

describe('GET /users/me', () => {
  it('when a user has just registered, then GET /users/me at once returns the profile built from the account', async () => {
    const res = await stack.api.post('/api/v1/auth/register', {
      username: `fresh_${Date.now()}`,
      password: 'correct horse battery',
      displayName: 'Fresh Face',
    });
    expect(res.status).toBe(201);
    const me = await as(stack, { id: res.body.user.id, accessToken: res.body.tokens.accessToken }).get('/users/me');
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      id: res.body.user.id,
      username: res.body.user.username,
      displayName: 'Fresh Face',
      bio: null,
      avatarMediaId: null,
      statusText: null,
      deleted: false,
      createdAt: expect.any(String),
    });
  });

  it('when the account event has not reached the user service yet, then the profile is fetched from auth', async () => {
    const u = await newUser(stack, { displayName: 'In Flight' });
    await waitFor(() => profileRow(stack, u.id).then((r) => r ?? undefined), 5000, 'profile created from the event');
    // Remove what the event created, as if it had not been consumed yet.
    await database(stack).none('DELETE FROM "user".profiles WHERE id = $1', [u.id]);

    const me = await as(stack, u).get('/users/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: u.id, username: u.username, displayName: 'In Flight' });
    expect(await profileRow(stack, u.id)).toMatchObject({ app_id: DEFAULT_APP_ID, email: u.email, phone: u.phone });
  });

  it('when the account event arrives again after the user edited the profile, then the edit is kept', async () => {
    const u = await newUser(stack, { displayName: 'Original' });
    expect((await as(stack, u).patch('/users/me', { displayName: 'Edited' })).status).toBe(200);

    const js = jetstream(nc);
    const replay = (userId: string, displayName: string) =>
      js.publish(
        `${stack.env.NATS_PREFIX}evt.auth.user.created`,
        JSON.stringify({
          id: randomUUID(),
          type: 'auth.user.created',
          occurredAt: new Date().toISOString(),
          appId: DEFAULT_APP_ID,
          data: { userId, username: 'replayed', displayName },
        }),
      );
    await replay(u.id, 'Original');
    // Events are handled in order: once a later one is applied, the replay has been handled.
    const marker = randomUUID();
    await replay(marker, 'Marker');
    await waitFor(() => profileRow(stack, marker).then((r) => r ?? undefined), 5000, 'marker profile');

    expect((await as(stack, u).get('/users/me')).body).toMatchObject({ displayName: 'Edited', username: u.username });
  });

  it('when the token is missing, then 401', async () => {
    expectProblem(await stack.api.get('/api/v1/users/me'), 401, 'unauthorized');
  });
});

describe('PATCH /users/me', () => {
  it('when display name, bio, avatar and status text are set, then the profile shows them and keeps the rest', async () => {
    const u = await newUser(stack);
    const avatarMediaId = await anAvatarId(stack, u);
    const res = await as(stack, u).patch('/users/me', { displayName: '  Ada L.  ', bio: 'Counts things', avatarMediaId, statusText: 'At the engine' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: u.id, username: u.username, displayName: 'Ada L.', bio: 'Counts things', avatarMediaId, statusText: 'At the engine' });

    const partial = await as(stack, u).patch('/users/me', { statusText: 'Away' });
    expect(partial.body).toMatchObject({ displayName: 'Ada L.', bio: 'Counts things', avatarMediaId, statusText: 'Away' });
    expect((await as(stack, u).get('/users/me')).body).toEqual(partial.body);
  });

  it('when bio, avatar and status text are set to null or an empty string, then they are cleared', async () => {
    const u = await newUser(stack);
    await as(stack, u).patch('/users/me', { bio: 'x', avatarMediaId: await anAvatarId(stack, u), statusText: 'y' });
    const res = await as(stack, u).patch('/users/me', { bio: '', avatarMediaId: null, statusText: null });
    expect(res.body).toMatchObject({ bio: null, avatarMediaId: null, statusText: null });
  });

  it('when the profile changes, then user.profile.updated carries the public fields', async () => {
    const u = await newUser(stack);
    await as(stack, u).patch('/users/me', { displayName: 'Evented', statusText: 'Hello' });
    const event = await waitFor(() => events.find((e) => e.type === 'user.profile.updated' && e.data.userId === u.id), 5000, 'user.profile.updated');
    expect(event.data).toEqual({ userId: u.id, username: u.username, displayName: 'Evented', avatarMediaId: null, statusText: 'Hello' });
  });

  it('when the body has an unknown field, then 400 naming it and nothing changes', async () => {
    const u = await newUser(stack, { displayName: 'Unchanged' });
    expectInvalid(await as(stack, u).patch('/users/me', { displayName: 'Changed', username: 'hijack' }), 'username');
    expectInvalid(await as(stack, u).patch('/users/me', { isAdmin: true }), 'isAdmin');
    expect((await as(stack, u).get('/users/me')).body).toMatchObject({ displayName: 'Unchanged', username: u.username });
  });

  it('when the bio, display name or status text is too long, or the display name empty, then 400 naming the field', async () => {
    const u = await newUser(stack);
    expectInvalid(await as(stack, u).patch('/users/me', { bio: 'b'.repeat(501) }), 'bio');
    expectInvalid(await as(stack, u).patch('/users/me', { displayName: 'd'.repeat(65) }), 'displayName');
    expectInvalid(await as(stack, u).patch('/users/me', { displayName: '   ' }), 'displayName');
    expectInvalid(await as(stack, u).patch('/users/me', { statusText: 's'.repeat(141) }), 'statusText');
    expectInvalid(await as(stack, u).patch('/users/me', { avatarMediaId: 'not-a-uuid' }), 'avatarMediaId');
    expect((await as(stack, u).patch('/users/me', { bio: 'b'.repeat(500), displayName: 'd'.repeat(64), statusText: 's'.repeat(140) })).status).toBe(200);
  });
});

describe('GET /users/:id', () => {
  it('when a user of the same app is read, then 200 with the public profile (no email or phone)', async () => {
    const [alice, bob] = await Promise.all([newUser(stack, { displayName: 'Alice' }), newUser(stack)]);
    await as(stack, alice).patch('/users/me', { bio: 'Hi', statusText: 'Busy' });
    const res = await as(stack, bob).get(`/users/${alice.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: alice.id, username: alice.username, displayName: 'Alice', bio: 'Hi', statusText: 'Busy', deleted: false });
    expect(JSON.stringify(res.body)).not.toContain(alice.email);
    expect(JSON.stringify(res.body)).not.toContain(alice.phone);
  });

  it('when the id is unknown, then 404; when it is not a UUID, then 400', async () => {
    const u = await newUser(stack);
    expectProblem(await as(stack, u).get(`/users/${randomUUID()}`), 404, 'not_found');
    expectInvalid(await as(stack, u).get('/users/not-a-uuid'), 'params.id');
  });

  it('when a user of another app is read, then 404 in both directions, exactly as for an unknown id', async () => {
    const first = await newUser(stack);
    const other = await newAppUser(stack);
    expect((await as(stack, other).get('/users/me')).status).toBe(200);

    const across = await as(stack, other).get(`/users/${first.id}`);
    expectProblem(across, 404, 'not_found');
    expect(across.body.detail).toBe((await as(stack, other).get(`/users/${randomUUID()}`)).body.detail);
    expectProblem(await as(stack, first).get(`/users/${other.id}`), 404, 'not_found');
  });

  it('when an app user reads its own profile, then the profile carries the app’s user', async () => {
    const other = await newAppUser(stack);
    const me = await as(stack, other).get('/users/me');
    expect(me.body).toMatchObject({ id: other.id, username: expect.any(String), deleted: false });
    expect(await profileRow(stack, other.id)).toMatchObject({ app_id: other.appId });
  });

  it('when the user service is asked directly without a token, then 401 (it checks tokens itself)', async () => {
    const u = await registerUser(stack.api);
    const direct = await fetch(`${stack.services.user!.url}/users/${u.id}`);
    expect(direct.status).toBe(401);
  });
});
