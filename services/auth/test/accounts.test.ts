import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EventRecorder, type Stack, recordEvents, registerUser, waitFor, waitForMail } from '@chat/testkit';
import { DEFAULT_APP_ID, expectAccessAlive, expectAccessDead, expectProblem, login, sessionIdOf } from './helpers.js';
import { startAuthStack } from './stack.js';

const ADMIN_KEY = 'platform-admin-key-for-accounts-01';
const MAX_FAILURES = 3;

let stack: Stack;
let events: EventRecorder;
/** Every `auth.session.revoked` seen so far. */
const revoked = () => events.filter('auth.session.revoked', {}).map((e) => e.data as { sessionId: string; reason: string; userId: string });

beforeAll(async () => {
  stack = await startAuthStack({
    PLATFORM_ADMIN_KEY: ADMIN_KEY,
    LOGIN_MAX_FAILURES: String(MAX_FAILURES),
    RATE_LIMIT_REGISTER_PER_HOUR: '1000',
    RATE_LIMIT_LOGIN_PER_MINUTE: '1000',
  });
  events = await recordEvents(stack, 'evt.auth.>');
});
afterAll(async () => {
  await events?.close();
  await stack?.stop();
});

function rpc(subject: string, body: unknown): Promise<any> {
  return events.rpc(subject, body);
}

/** Publishes `user.account.deleted` as the user service would. */
async function publishDeletion(appId: string, userId: string): Promise<void> {
  const event = { id: randomUUID(), type: 'user.account.deleted', occurredAt: new Date().toISOString(), appId, data: { userId } };
  await jetstream(events.nc).publish(`${stack.env.NATS_PREFIX}evt.user.account.deleted`, JSON.stringify(event), { msgID: event.id });
}

async function newAppUser(externalId: string) {
  const app = await stack.api.post('/api/v1/admin/apps', { name: 'Accounts' }, { headers: { 'x-admin-key': ADMIN_KEY } });
  const headers = { 'x-api-key': app.body.apiKey, 'x-api-secret': app.body.apiSecret };
  const mint = () => stack.api.post('/api/v1/server/token', { externalId }, { headers });
  const res = await mint();
  return { appId: app.body.app.id as string, id: res.body.user.id as string, accessToken: res.body.tokens.accessToken as string, mint };
}

describe('rpc.auth.user', () => {
  it('when an account of the app is asked for, then its public record comes back, without any credential', async () => {
    const u = await registerUser(stack.api, { displayName: 'Looked Up', phone: '+15557654321' });
    const reply = await rpc('rpc.auth.user', { appId: DEFAULT_APP_ID, userId: u.id });
    expect(reply).toEqual({
      ok: true,
      data: {
        user: {
          id: u.id,
          appId: DEFAULT_APP_ID,
          username: u.username,
          displayName: 'Looked Up',
          email: u.email,
          phone: '+15557654321',
          emailVerified: false,
          phoneVerified: false,
          deleted: false,
          createdAt: expect.any(String),
        },
      },
    });
    expect(JSON.stringify(reply)).not.toMatch(/password|totp/i);
  });

  it('when the account is unknown or of another app, then null', async () => {
    const u = await registerUser(stack.api);
    expect(await rpc('rpc.auth.user', { appId: DEFAULT_APP_ID, userId: randomUUID() })).toEqual({ ok: true, data: { user: null } });
    expect(await rpc('rpc.auth.user', { appId: randomUUID(), userId: u.id })).toEqual({ ok: true, data: { user: null } });
  });
});

describe('rpc.auth.verify-password', () => {
  const check = (userId: string, password: string, appId = DEFAULT_APP_ID) => rpc('rpc.auth.verify-password', { appId, userId, password });

  it('when the password is right, then valid; when wrong, then invalid', async () => {
    const u = await registerUser(stack.api);
    expect(await check(u.id, u.password)).toEqual({ ok: true, data: { result: 'valid' } });
    expect(await check(u.id, 'wrong password')).toEqual({ ok: true, data: { result: 'invalid' } });
  });

  it('when the account is of another app, then invalid even with its password', async () => {
    const u = await registerUser(stack.api);
    expect((await check(u.id, u.password, randomUUID())).data.result).toBe('invalid');
  });

  it('when wrong passwords reach the login failure limit, then locked with a retry time, even for the right one', async () => {
    const u = await registerUser(stack.api);
    for (let i = 0; i < MAX_FAILURES; i++) expect((await check(u.id, `guess ${i}`)).data.result).toBe('invalid');
    const locked = await check(u.id, u.password);
    expect(locked.data.result).toBe('locked');
    expect(locked.data.retryAfterS).toBeGreaterThan(0);
    // Another account is not affected.
    const other = await registerUser(stack.api);
    expect((await check(other.id, other.password)).data.result).toBe('valid');
  });
});

describe('consuming user.account.deleted', () => {
  it('when an account is deleted, then every session is revoked at once, login fails and the credentials are gone', async () => {
    const u = await registerUser(stack.api);
    const second = await login(stack.api, { identifier: u.username, password: u.password });
    await publishDeletion(DEFAULT_APP_ID, u.id);

    await waitFor(() => revoked().filter((r) => r.userId === u.id).length === 2 || undefined, 5000, 'sessions revoked');
    expect(
      revoked()
        .filter((r) => r.userId === u.id)
        .map((r) => r.reason),
    ).toEqual(['account_deleted', 'account_deleted']);
    await expectAccessDead(stack.api, u.accessToken);
    await expectAccessDead(stack.api, second.body.tokens.accessToken);
    expect(revoked().map((r) => r.sessionId)).toEqual(expect.arrayContaining([sessionIdOf(u.accessToken), sessionIdOf(second.body.tokens.accessToken)]));
    expectProblem(await login(stack.api, { identifier: u.username, password: u.password }), 401, 'unauthorized');
    expectProblem(await login(stack.api, { identifier: u.email, password: u.password }), 401, 'unauthorized');
    expect((await rpc('rpc.auth.user', { appId: DEFAULT_APP_ID, userId: u.id })).data.user).toEqual({
      id: u.id,
      appId: DEFAULT_APP_ID,
      username: u.username,
      displayName: 'Deleted user',
      emailVerified: false,
      phoneVerified: false,
      deleted: true,
      createdAt: expect.any(String),
    });
    expect((await rpc('rpc.auth.verify-password', { appId: DEFAULT_APP_ID, userId: u.id, password: u.password })).data.result).toBe('invalid');
  });

  it('when the deleted account had a password reset mail pending, then its token no longer sets a password', async () => {
    const u = await registerUser(stack.api);
    const confirm = await waitForMail(stack.isolation.env.MAILBOX_DIR!, u.email, /confirm/i);
    expect((await stack.api.post('/api/v1/auth/verify-email', { token: confirm.token })).status).toBe(204);
    expect((await stack.api.post('/api/v1/auth/forgot-password', { email: u.email })).status).toBe(202);
    const { token } = await waitForMail(stack.isolation.env.MAILBOX_DIR!, u.email, /reset/i);
    await publishDeletion(DEFAULT_APP_ID, u.id);
    await waitFor(() => revoked().some((r) => r.userId === u.id) || undefined, 5000, 'account erased');

    expect((await stack.api.post('/api/v1/auth/reset-password', { token, newPassword: 'a brand new password' })).status).toBe(400);
    expectProblem(await login(stack.api, { identifier: u.username, password: 'a brand new password' }), 401, 'unauthorized');
  });

  it('when the deletion event arrives twice, then the second changes nothing; the username stays taken', async () => {
    const u = await registerUser(stack.api);
    await publishDeletion(DEFAULT_APP_ID, u.id);
    await waitFor(() => revoked().some((r) => r.userId === u.id) || undefined, 5000, 'account erased');
    await publishDeletion(DEFAULT_APP_ID, u.id);
    // Events are handled in order: once a later deletion is applied, the repeat has been handled.
    const marker = await registerUser(stack.api);
    await publishDeletion(DEFAULT_APP_ID, marker.id);
    await waitFor(() => revoked().some((r) => r.userId === marker.id) || undefined, 5000, 'marker erased');

    expect(revoked().filter((r) => r.userId === u.id)).toHaveLength(1);
    const again = await stack.api.post('/api/v1/auth/register', { username: u.username, password: 'correct horse battery' });
    expectProblem(again, 409, 'conflict');
  });

  it('when the deletion names the account under another app, then nothing happens to it', async () => {
    const u = await registerUser(stack.api);
    await publishDeletion(randomUUID(), u.id);
    const marker = await registerUser(stack.api);
    await publishDeletion(DEFAULT_APP_ID, marker.id);
    await waitFor(() => revoked().some((r) => r.userId === marker.id) || undefined, 5000, 'marker erased');
    await expectAccessAlive(stack.api, u.accessToken);
  });

  it('when an app user is deleted, then a later token for the same externalId belongs to a new account', async () => {
    const appUser = await newAppUser('to-be-deleted');
    await publishDeletion(appUser.appId, appUser.id);
    await waitFor(() => revoked().some((r) => r.userId === appUser.id) || undefined, 5000, 'app user erased');
    await expectAccessDead(stack.api, appUser.accessToken);

    const again = await appUser.mint();
    expect(again.status).toBe(200);
    expect(again.body.user.id).not.toBe(appUser.id);
  });
});
