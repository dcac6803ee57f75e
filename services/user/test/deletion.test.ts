import type { NatsConnection } from '@nats-io/transport-node';
import { type Stack, waitFor } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anAvatarId, as, closeDatabases, database, expectInvalid, expectProblem, natsFor, newUser, profileRow } from './helpers.js';
import { startUserStack } from './stack.js';

const MAX_WRONG_PASSWORDS = 3;

let stack: Stack;
let nc: NatsConnection;
const events: { type: string; appId: string; data: Record<string, unknown> }[] = [];

beforeAll(async () => {
  stack = await startUserStack({ LOGIN_MAX_FAILURES: String(MAX_WRONG_PASSWORDS) });
  ({ nc } = await natsFor(stack));
  const sub = nc.subscribe(`${stack.env.NATS_PREFIX}evt.user.account.>`);
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

const deleteMe = (who: { id: string; accessToken: string }, body: unknown) => as(stack, who).delete('/users/me', body);
const authMe = (accessToken: string) => stack.api.get('/api/v1/auth/me', { token: accessToken });
const login = (identifier: string, password: string) => stack.api.post('/api/v1/auth/login', { identifier, password });

describe('DELETE /users/me', () => {
  it('when the password is right, then the profile is anonymised at once and user.account.deleted is published', async () => {
    const [gone, friend] = await Promise.all([newUser(stack, { displayName: 'Soon Gone' }), newUser(stack)]);
    await as(stack, gone).patch('/users/me', { bio: 'bio', statusText: 'status', avatarMediaId: await anAvatarId(stack, gone) });

    expect((await deleteMe(gone, { password: gone.password })).status).toBe(204);

    const seen = await as(stack, friend).get(`/users/${gone.id}`);
    expect(seen.status).toBe(200);
    expect(seen.body).toEqual({
      id: gone.id,
      username: null,
      displayName: 'Deleted user',
      bio: null,
      avatarMediaId: null,
      statusText: null,
      deleted: true,
      createdAt: expect.any(String),
    });
    expect(await profileRow(stack, gone.id)).toMatchObject({ email: null, phone: null, username: null, deleted_at: expect.any(Date) });
    const event = await waitFor(() => events.find((e) => e.type === 'user.account.deleted' && e.data.userId === gone.id), 5000, 'user.account.deleted');
    expect(event).toMatchObject({ appId: gone.appId, data: { userId: gone.id } });
  });

  it('when the account is deleted, then auth removes it: every session’s tokens die, and the password no longer logs in', async () => {
    const gone = await newUser(stack);
    const second = await login(gone.username, gone.password);
    expect(second.status).toBe(200);

    expect((await deleteMe(gone, { password: gone.password })).status).toBe(204);

    await waitFor(async () => ((await authMe(gone.accessToken)).status === 401 ? true : undefined), 5000, 'access token revoked');
    expect((await authMe(second.body.tokens.accessToken)).status).toBe(401);
    expect((await stack.api.post('/api/v1/auth/refresh', { refreshToken: gone.refreshToken })).status).toBe(401);
    expectProblem(await login(gone.username, gone.password), 401, 'unauthorized');
    expectProblem(await login(gone.email, gone.password), 401, 'unauthorized');
    expect(await database(stack).one('SELECT email, phone, password_hash, deleted_at FROM auth.users WHERE id = $1', [gone.id])).toMatchObject({
      email: null,
      phone: null,
      password_hash: null,
      deleted_at: expect.any(Date),
    });
  });

  it('when the account is deleted, then its contacts and blocks go, in both directions', async () => {
    const [gone, friend, pest, admirer] = await Promise.all([newUser(stack), newUser(stack), newUser(stack), newUser(stack)]);
    await as(stack, gone).post('/users/me/contacts', { userId: friend.id });
    await as(stack, gone).post('/users/me/blocked', { userId: pest.id });
    await as(stack, admirer).post('/users/me/contacts', { userId: gone.id });
    await as(stack, pest).post('/users/me/blocked', { userId: gone.id });

    expect((await deleteMe(gone, { password: gone.password })).status).toBe(204);

    const count = (table: string) =>
      database(stack).one(
        `SELECT count(*)::int AS n FROM "user".${table} WHERE $1 IN (${table === 'contacts' ? 'owner_id, contact_id' : 'blocker_id, blocked_id'})`,
        [gone.id],
      );
    expect(await count('contacts')).toEqual({ n: 0 });
    expect(await count('blocks')).toEqual({ n: 0 });
    expect((await as(stack, admirer).get('/users/me/contacts')).body.data).toEqual([]);
    expect((await as(stack, pest).get('/users/me/blocked')).body.data).toEqual([]);
  });

  it('when the deleted user is added as a contact or blocked afterwards, then 404', async () => {
    const [gone, other] = await Promise.all([newUser(stack), newUser(stack)]);
    expect((await deleteMe(gone, { password: gone.password })).status).toBe(204);
    expectProblem(await as(stack, other).post('/users/me/contacts', { userId: gone.id }), 404, 'not_found');
    expectProblem(await as(stack, other).post('/users/me/blocked', { userId: gone.id }), 404, 'not_found');
  });

  it('when the password is wrong, then 403 and nothing is deleted', async () => {
    const u = await newUser(stack, { displayName: 'Still Here' });
    expectProblem(await deleteMe(u, { password: 'not my password' }), 403, 'forbidden');
    expect((await as(stack, u).get('/users/me')).body).toMatchObject({ displayName: 'Still Here', deleted: false });
    expect((await authMe(u.accessToken)).status).toBe(200);
    expect(events.filter((e) => e.data.userId === u.id)).toEqual([]);
  });

  it('when wrong passwords are tried past the limit, then 429 even for the right one, and nothing is deleted', async () => {
    const u = await newUser(stack);
    for (let i = 0; i < MAX_WRONG_PASSWORDS; i++) expectProblem(await deleteMe(u, { password: `guess ${i}` }), 403, 'forbidden');
    const locked = await deleteMe(u, { password: u.password });
    expectProblem(locked, 429, 'rate_limited');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await as(stack, u).get('/users/me')).body.deleted).toBe(false);
  });

  it('when the password is missing or the body has unknown fields, then 400', async () => {
    const u = await newUser(stack);
    expectInvalid(await deleteMe(u, {}), 'password');
    expectInvalid(await deleteMe(u, { password: u.password, userId: u.id }), 'userId');
    expect((await as(stack, u).get('/users/me')).body.deleted).toBe(false);
  });
});
