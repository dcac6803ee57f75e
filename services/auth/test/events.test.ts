import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EventRecorder, type Stack, registerUser, recordEvents, waitForMail } from '@chat/testkit';
import { DEFAULT_APP_ID, login, refresh, sessionIdOf } from './helpers.js';
import { startAuthStack } from './stack.js';

const ADMIN_KEY = 'platform-admin-key-for-events-01';

let stack: Stack;
let events: EventRecorder;

beforeAll(async () => {
  stack = await startAuthStack({ PLATFORM_ADMIN_KEY: ADMIN_KEY, RATE_LIMIT_REGISTER_PER_HOUR: '1000', RATE_LIMIT_LOGIN_PER_MINUTE: '1000' });
  events = await recordEvents(stack, 'evt.auth.>');
});
afterAll(async () => {
  await events?.close();
  await stack?.stop();
});

const waitForEvent = (type: string, data: Record<string, unknown>) => events.waitFor(type, data);
/** Every event of `type` about `userId` seen so far. */
const eventsAbout = (type: string, userId: string) => events.filter(type, { userId });

describe('events published by the auth service', () => {
  it('when a user registers, then auth.user.created carries the public profile and no secret', async () => {
    const u = await registerUser(stack.api, { displayName: 'Evie' });
    const { subject, event } = await waitForEvent('auth.user.created', { userId: u.id });

    expect(subject).toBe(`${stack.env.NATS_PREFIX}evt.auth.user.created`);
    expect(event).toMatchObject({ appId: DEFAULT_APP_ID, data: { userId: u.id, username: u.username, displayName: 'Evie', email: u.email } });
    expect(new Date(event.occurredAt).toISOString()).toBe(event.occurredAt);
    expect(JSON.stringify(event)).not.toContain(u.password);
    expect(Object.keys(event.data)).not.toContain('passwordHash');
  });

  it('when a session logs out, then auth.session.revoked names it with reason logout', async () => {
    const u = await registerUser(stack.api);
    const sessionId = sessionIdOf(u.accessToken);
    expect((await stack.api.post('/api/v1/auth/logout', undefined, { token: u.accessToken })).status).toBe(204);

    const { event } = await waitForEvent('auth.session.revoked', { sessionId });
    expect(event).toMatchObject({ appId: DEFAULT_APP_ID, data: { userId: u.id, sessionId, reason: 'logout' } });
  });

  it('when the password changes, then only the other sessions are announced revoked, with reason password_changed', async () => {
    const u = await registerUser(stack.api);
    const other = await login(stack.api, { identifier: u.username, password: u.password });
    const otherSession = sessionIdOf(other.body.tokens.accessToken);
    const res = await stack.api.post(
      '/api/v1/auth/change-password',
      { currentPassword: u.password, newPassword: 'another passphrase' },
      { token: u.accessToken },
    );
    expect(res.status).toBe(204);

    await waitForEvent('auth.session.revoked', { sessionId: otherSession, reason: 'password_changed' });
    expect(eventsAbout('auth.session.revoked', u.id).map((e) => e.data.sessionId)).toEqual([otherSession]);
  });

  it('when a refresh token is reused, then its session is announced revoked with reason refresh_token_reuse', async () => {
    const u = await registerUser(stack.api);
    expect((await refresh(stack.api, u.refreshToken)).status).toBe(200);
    expect((await refresh(stack.api, u.refreshToken)).status).toBe(401);

    await waitForEvent('auth.session.revoked', { sessionId: sessionIdOf(u.accessToken), reason: 'refresh_token_reuse' });
  });

  it('when an email is verified, then auth.user.email_verified carries the address', async () => {
    const u = await registerUser(stack.api);
    const { token } = await waitForMail(stack.isolation.env.MAILBOX_DIR!, u.email, /Confirm/);
    expect((await stack.api.post('/api/v1/auth/verify-email', { token })).status).toBe(204);

    const { event } = await waitForEvent('auth.user.email_verified', { userId: u.id });
    expect(event.data).toEqual({ userId: u.id, email: u.email });
  });

  it('when an app mints a token for a new externalId, then auth.user.created carries the app and the externalId, once', async () => {
    const created = await stack.api.post('/api/v1/admin/apps', { name: 'Events' }, { headers: { 'x-admin-key': ADMIN_KEY } });
    const headers = { 'x-api-key': created.body.apiKey, 'x-api-secret': created.body.apiSecret };
    const first = await stack.api.post('/api/v1/server/token', { externalId: 'ext-77' }, { headers });
    expect((await stack.api.post('/api/v1/server/token', { externalId: 'ext-77' }, { headers })).status).toBe(200);
    const userId = first.body.user.id;

    const { event } = await waitForEvent('auth.user.created', { userId });
    expect(event).toMatchObject({ appId: created.body.app.id, data: { userId, externalId: 'ext-77' } });
    // A later login of the same user publishes nothing new: wait for a marker event, then count.
    const marker = await registerUser(stack.api);
    await waitForEvent('auth.user.created', { userId: marker.id });
    expect(eventsAbout('auth.user.created', userId)).toHaveLength(1);
  });

  it('when a registration is refused, then no event is published for it', async () => {
    const taken = await registerUser(stack.api);
    const res = await stack.api.post('/api/v1/auth/register', { username: taken.username, password: 'whatever123' });
    expect(res.status).toBe(409);
    const marker = await registerUser(stack.api);
    await waitForEvent('auth.user.created', { userId: marker.id });
    expect(events.filter('auth.user.created', { username: taken.username })).toHaveLength(1);
  });
});
