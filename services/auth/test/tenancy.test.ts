import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, registerUser, uniqueUsername } from '@chat/testkit';
import { DEFAULT_APP_ID, UUID, expectAccessAlive, expectInvalid, expectProblem, listSessions, login, me, sessionIdOf } from './helpers.js';
import { startAuthStack } from './stack.js';

const ADMIN_KEY = 'platform-admin-key-for-tests-0123';

let stack: Stack;
beforeAll(async () => {
  stack = await startAuthStack({ PLATFORM_ADMIN_KEY: ADMIN_KEY, RATE_LIMIT_REGISTER_PER_HOUR: '1000', RATE_LIMIT_LOGIN_PER_MINUTE: '1000' });
});
afterAll(() => stack?.stop());

interface AppCredentials {
  id: string;
  apiKey: string;
  apiSecret: string;
}

/** `adminKey: null` sends no X-Admin-Key header at all. */
function createApp(body: unknown, adminKey: string | null = ADMIN_KEY) {
  return stack.api.post('/api/v1/admin/apps', body, { headers: adminKey === null ? {} : { 'x-admin-key': adminKey } });
}

async function newApp(name = 'Acme'): Promise<AppCredentials> {
  const res = await createApp({ name });
  expect(res.status).toBe(201);
  return { id: res.body.app.id, apiKey: res.body.apiKey, apiSecret: res.body.apiSecret };
}

function serverToken(app: Pick<AppCredentials, 'apiKey' | 'apiSecret'>, body: Record<string, unknown>) {
  return stack.api.post('/api/v1/server/token', body, { headers: { 'x-api-key': app.apiKey, 'x-api-secret': app.apiSecret } });
}

async function appUser(app: AppCredentials, externalId: string) {
  const res = await serverToken(app, { externalId });
  expect(res.status).toBe(200);
  return { id: res.body.user.id as string, username: res.body.user.username as string, accessToken: res.body.tokens.accessToken as string };
}

describe('POST /admin/apps', () => {
  it('when the platform admin key is right, then 201 with the app, an API key and a secret', async () => {
    const res = await createApp({ name: 'Acme Chat' });
    expect(res.status).toBe(201);
    expect(res.body.app).toMatchObject({ id: expect.stringMatching(UUID), name: 'Acme Chat' });
    expect(new Date(res.body.app.createdAt).toISOString()).toBe(res.body.app.createdAt);
    expect(res.body.apiKey).toEqual(expect.any(String));
    expect(res.body.apiSecret).toEqual(expect.any(String));
    expect(res.body.apiSecret).not.toBe(res.body.apiKey);
  });

  it('when the admin key is wrong or missing, then 401', async () => {
    expectProblem(await createApp({ name: 'Evil' }, `${ADMIN_KEY}x`), 401, 'unauthorized');
    expectProblem(await createApp({ name: 'Evil' }, null), 401, 'unauthorized');
    expectProblem(await createApp({ name: 'Evil' }, ADMIN_KEY.toUpperCase()), 401, 'unauthorized');
  });

  it('when the body is not valid, then 400 naming the field', async () => {
    expectInvalid(await createApp({ name: '' }), 'name');
    expectInvalid(await createApp({ name: 'Acme', plan: 'gold' }), 'plan');
  });
});

describe('POST /server/token', () => {
  it('when an app asks for a new externalId, then 200 with a user of that app and tokens that work', async () => {
    const app = await newApp();
    const res = await serverToken(app, { externalId: 'customer-42', displayName: 'Customer Forty-Two' });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: expect.stringMatching(UUID), appId: app.id, displayName: 'Customer Forty-Two' });

    const mine = await me(stack.api, res.body.tokens.accessToken);
    expect(mine.status).toBe(200);
    expect(mine.body.user).toMatchObject({ id: res.body.user.id, appId: app.id });
  });

  it('when the same externalId comes again, then it is the same user (with the new display name)', async () => {
    const app = await newApp();
    const first = await serverToken(app, { externalId: 'repeat-customer' });
    const second = await serverToken(app, { externalId: 'repeat-customer', displayName: 'Renamed' });
    expect(second.status).toBe(200);
    expect(second.body.user.id).toBe(first.body.user.id);
    expect(second.body.user.displayName).toBe('Renamed');
  });

  it('when two apps use the same externalId, then they get two different users', async () => {
    const a = await appUser(await newApp('A'), 'shared-id');
    const b = await appUser(await newApp('B'), 'shared-id');
    expect(a.id).not.toBe(b.id);
  });

  it('when several first calls for one externalId race, then all get the same single user', async () => {
    const app = await newApp();
    const results = await Promise.all(Array.from({ length: 5 }, () => serverToken(app, { externalId: 'racing-customer' })));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(results.map((r) => r.body.user.id)).size).toBe(1);
  });

  it('when an externalId is literally the username derived for another one, then each still gets its own user', async () => {
    const app = await newApp();
    const first = await serverToken(app, { externalId: 'Not A Username' });
    expect(first.status).toBe(200);
    const derived = first.body.user.username;
    expect(derived).toMatch(/^u_[0-9a-f]{24}$/);

    const second = await serverToken(app, { externalId: derived });
    expect(second.status).toBe(200);
    expect(second.body.user.id).not.toBe(first.body.user.id);
    expect((await serverToken(app, { externalId: 'Not A Username' })).body.user.id).toBe(first.body.user.id);
    expect((await serverToken(app, { externalId: derived })).body.user.id).toBe(second.body.user.id);
  });

  it('when the secret is wrong, missing, or belongs to another app, then 401', async () => {
    const app = await newApp();
    const other = await newApp();
    expectProblem(await serverToken({ apiKey: app.apiKey, apiSecret: `${app.apiSecret}x` }, { externalId: 'x1' }), 401, 'unauthorized');
    expectProblem(await serverToken({ apiKey: app.apiKey, apiSecret: other.apiSecret }, { externalId: 'x1' }), 401, 'unauthorized');
    expectProblem(await serverToken({ apiKey: 'ak_unknown', apiSecret: app.apiSecret }, { externalId: 'x1' }), 401, 'unauthorized');
    expectProblem(await stack.api.post('/api/v1/server/token', { externalId: 'x1' }), 401, 'unauthorized');
  });

  it('when the platform admin key is offered as app credentials, then 401', async () => {
    expectProblem(await serverToken({ apiKey: ADMIN_KEY, apiSecret: ADMIN_KEY }, { externalId: 'x1' }), 401, 'unauthorized');
  });

  it('when the body is not valid, then 400 naming the field', async () => {
    const app = await newApp();
    expectInvalid(await serverToken(app, { externalId: '' }), 'externalId');
    expectInvalid(await serverToken(app, { externalId: 'ok', appId: DEFAULT_APP_ID }), 'appId');
  });
});

describe('isolation between apps', () => {
  it('when a default-app user and an app user share a name, then they are different users, each with its own appId', async () => {
    const name = uniqueUsername('alice');
    const first = await registerUser(stack.api, { username: name });
    const app = await newApp();
    const appsAlice = await appUser(app, name);

    expect(appsAlice.id).not.toBe(first.id);
    expect(appsAlice.username).toBe(name);
    expect((await me(stack.api, first.accessToken)).body.user).toMatchObject({ id: first.id, appId: DEFAULT_APP_ID });
    expect((await me(stack.api, appsAlice.accessToken)).body.user).toMatchObject({ id: appsAlice.id, appId: app.id });
  });

  it('when the shared name logs in through /auth/login, then it is only ever the default-app user', async () => {
    const name = uniqueUsername('alice');
    const first = await registerUser(stack.api, { username: name });
    const appsAlice = await appUser(await newApp(), name);

    const res = await login(stack.api, { identifier: name, password: first.password });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: first.id, appId: DEFAULT_APP_ID });
    expect(res.body.user.id).not.toBe(appsAlice.id);
  });

  it('when an app user’s name is tried at /auth/login, then 401 whatever the password', async () => {
    const name = uniqueUsername('bob');
    await appUser(await newApp(), name);
    for (const password of ['correct horse battery', name, 'not-a-real-password']) {
      expectProblem(await login(stack.api, { identifier: name, password }), 401, 'unauthorized');
    }
  });

  it('when an app user tries to revoke a default-app user’s session, then 404 and the session keeps working', async () => {
    const victim = await registerUser(stack.api);
    const intruder = await appUser(await newApp(), uniqueUsername('intruder'));
    const victimSession = sessionIdOf(victim.accessToken);

    expectProblem(await stack.api.delete(`/api/v1/auth/sessions/${victimSession}`, { token: intruder.accessToken }), 404, 'not_found');

    await expectAccessAlive(stack.api, victim.accessToken);
    expect((await listSessions(stack.api, victim.accessToken)).map((s) => s.id)).toContain(victimSession);
  });

  it('when a default-app user tries to revoke an app user’s session, then 404 and the session keeps working', async () => {
    const appUserTokens = await appUser(await newApp(), uniqueUsername('carol'));
    const intruder = await registerUser(stack.api);

    expectProblem(await stack.api.delete(`/api/v1/auth/sessions/${sessionIdOf(appUserTokens.accessToken)}`, { token: intruder.accessToken }), 404, 'not_found');
    await expectAccessAlive(stack.api, appUserTokens.accessToken);
  });

  it('when an app user lists sessions, then only its own appear', async () => {
    const name = uniqueUsername('dave');
    const first = await registerUser(stack.api, { username: name });
    const appsDave = await appUser(await newApp(), name);
    const sessions = await listSessions(stack.api, appsDave.accessToken);
    expect(sessions.map((s) => s.id)).toEqual([sessionIdOf(appsDave.accessToken)]);
    expect(sessions.map((s) => s.id)).not.toContain(sessionIdOf(first.accessToken));
  });
});
