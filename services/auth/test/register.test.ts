import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, registerUser, uniqueUsername } from '@chat/testkit';
import { DEFAULT_APP_ID, UUID, expectInvalid, expectProblem, listSessions, login, me, verifyPhone } from './helpers.js';
import { startAuthStack } from './stack.js';

const REGISTER = '/api/v1/auth/register';
const PASSWORD = 'correct horse battery';

let stack: Stack;
beforeAll(async () => {
  stack = await startAuthStack({ RATE_LIMIT_REGISTER_PER_HOUR: '1000' });
});
afterAll(() => stack?.stop());

function register(body: Record<string, unknown>) {
  return stack.api.post(REGISTER, body);
}

function randomPhone(): string {
  return `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
}

describe('POST /auth/register', () => {
  it('when a user registers, then 201 with the user and tokens of the contract, and the access token opens /auth/me', async () => {
    const username = uniqueUsername('reg');
    const phone = randomPhone();
    const res = await register({ username, password: PASSWORD, email: `${username}@example.test`, phone, displayName: 'Reggie' });

    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(['tokens', 'user']);
    const { user, tokens } = res.body;
    expect(Object.keys(user).sort()).toEqual([
      'appId',
      'createdAt',
      'displayName',
      'email',
      'emailVerified',
      'id',
      'phone',
      'phoneVerified',
      'twoFactorEnabled',
      'username',
    ]);
    expect(user).toMatchObject({
      appId: DEFAULT_APP_ID,
      username,
      displayName: 'Reggie',
      email: `${username}@example.test`,
      phone,
      emailVerified: false,
      phoneVerified: false,
      twoFactorEnabled: false,
    });
    expect(user.id).toMatch(UUID);
    expect(Math.abs(Date.parse(user.createdAt) - Date.now())).toBeLessThan(60_000);
    expect(Object.keys(tokens).sort()).toEqual(['accessToken', 'accessTokenExpiresAt', 'refreshToken', 'refreshTokenExpiresAt']);
    const accessTtlS = (Date.parse(tokens.accessTokenExpiresAt) - Date.now()) / 1000;
    expect(accessTtlS).toBeGreaterThan(800);
    expect(accessTtlS).toBeLessThanOrEqual(900);
    expect(Date.parse(tokens.refreshTokenExpiresAt)).toBeGreaterThan(Date.parse(tokens.accessTokenExpiresAt));
    expect(JSON.stringify(res.body)).not.toContain(PASSWORD);

    const mine = await me(stack.api, tokens.accessToken);
    expect(mine.status).toBe(200);
    expect(mine.body.user).toEqual(user);
  });

  it('when a device name is given, then the first session carries it', async () => {
    const res = await register({ username: uniqueUsername(), password: PASSWORD, deviceName: 'Signup phone' });
    expect(res.status).toBe(201);
    const sessions = await listSessions(stack.api, res.body.tokens.accessToken);
    expect(sessions).toEqual([expect.objectContaining({ deviceName: 'Signup phone', current: true })]);
  });

  it('when no display name is given, then the username is the display name', async () => {
    const username = uniqueUsername('plain');
    const res = await register({ username, password: PASSWORD });
    expect(res.status).toBe(201);
    expect(res.body.user.displayName).toBe(username);
    expect(res.body.user.email).toBeUndefined();
  });

  it('when the username has capitals, then it is stored lower-case and the lower-case spelling is then taken (409)', async () => {
    const lower = uniqueUsername('alice');
    const first = await register({ username: lower.replace('alice', 'Alice'), password: PASSWORD });
    expect(first.status).toBe(201);
    expect(first.body.user.username).toBe(lower);

    expectProblem(await register({ username: lower, password: PASSWORD }), 409, 'conflict');
  });

  it.each([
    ['too short', 'ab'],
    ['too long', 'a'.repeat(33)],
    ['a dash', 'has-dash'],
    ['a space', 'has space'],
    ['a non-ASCII letter', 'émile_x'],
    ['an @', 'me@example'],
    ['empty', ''],
  ])('when the username is %s, then 400 validation_failed naming username', async (_case, username) => {
    expectInvalid(await register({ username, password: PASSWORD }), 'username');
  });

  it('when the username is 3 or 32 characters of a-z, 0-9, _ and ., then it is accepted', async () => {
    const tail = uniqueUsername('').replace(/[^a-z0-9]/g, '');
    const short = tail.slice(-3);
    const long = `a.b_${tail}`.padEnd(32, 'x').slice(0, 32);
    expect((await register({ username: short, password: PASSWORD })).status).toBe(201);
    expect((await register({ username: long, password: PASSWORD })).status).toBe(201);
  });

  it('when the password has fewer than 8 characters, then 400 naming password, and 8 characters are enough', async () => {
    expectInvalid(await register({ username: uniqueUsername(), password: '1234567' }), 'password');
    expect((await register({ username: uniqueUsername(), password: '12345678' })).status).toBe(201);
  });

  it('when the password is longer than 72 bytes (though only 37 characters), then 400 naming password; 72 bytes log in', async () => {
    expectInvalid(await register({ username: uniqueUsername(), password: 'é'.repeat(37) }), 'password');

    const username = uniqueUsername();
    expect((await register({ username, password: 'é'.repeat(36) })).status).toBe(201);
    expect((await login(stack.api, { identifier: username, password: 'é'.repeat(36) })).status).toBe(200);
  });

  it('when the username is taken, then 409 conflict', async () => {
    const taken = await registerUser(stack.api);
    expectProblem(await register({ username: taken.username, password: PASSWORD }), 409, 'conflict');
  });

  it('when the email is taken in another case, then 409 conflict', async () => {
    const taken = await registerUser(stack.api);
    const res = await register({ username: uniqueUsername(), password: PASSWORD, email: taken.email.toUpperCase() });
    expectProblem(res, 409, 'conflict');
  });

  it('when another account holds the same unverified phone, then 201: an unverified number is nobody’s yet', async () => {
    const phone = randomPhone();
    await registerUser(stack.api, { phone });
    const res = await register({ username: uniqueUsername(), password: PASSWORD, phone });
    expect(res.status).toBe(201);
    expect(res.body.user).toMatchObject({ phone, phoneVerified: false });
  });

  it('when another account verified the phone, then 409 conflict, as for a taken username or email', async () => {
    const phone = randomPhone();
    const owner = await registerUser(stack.api, { phone });
    await verifyPhone(stack, owner.accessToken, phone);
    expectProblem(await register({ username: uniqueUsername(), password: PASSWORD, phone }), 409, 'conflict');
  });

  it('when two registrations race for one username, then one gets 201 and the other 409', async () => {
    const username = uniqueUsername('race');
    const results = await Promise.all([register({ username, password: PASSWORD }), register({ username, password: PASSWORD })]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
  });

  it('when the email or phone is malformed, then 400 naming the field', async () => {
    expectInvalid(await register({ username: uniqueUsername(), password: PASSWORD, email: 'not-an-email' }), 'email');
    expectInvalid(await register({ username: uniqueUsername(), password: PASSWORD, phone: '5551234' }), 'phone');
  });

  it('when the body has an unknown field, then 400 naming it and no account is created', async () => {
    const username = uniqueUsername();
    const res = await register({ username, password: PASSWORD, isAdmin: true });
    expectInvalid(res, 'isAdmin');
    expectProblem(await login(stack.api, { identifier: username, password: PASSWORD }), 401, 'unauthorized');
  });

  it('when a text field holds a NUL character, then 400 naming it (never a 500)', async () => {
    const res = await register({ username: uniqueUsername(), password: PASSWORD, displayName: 'a\u0000b' });
    expectInvalid(res, 'displayName');
  });

  it('when the body is not valid JSON, then 400 validation_failed', async () => {
    expectProblem(await stack.api.request('POST', REGISTER, { rawBody: '{"username": "x",' }), 400, 'validation_failed');
  });

  it('when the body is JSON but not an object, then 400 validation_failed', async () => {
    expectProblem(await stack.api.request('POST', REGISTER, { rawBody: '[1,2]' }), 400, 'validation_failed');
    expectProblem(await stack.api.request('POST', REGISTER, { rawBody: 'null' }), 400, 'validation_failed');
  });

  it('when a body comes with a non-JSON content type, then 415 unsupported_media_type', async () => {
    const res = await stack.api.request('POST', REGISTER, {
      rawBody: `username=${uniqueUsername()}&password=x`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectProblem(res, 415, 'unsupported_media_type');
  });

  it('when the body is over 1 MB, then 413 payload_too_large', async () => {
    const res = await register({ username: uniqueUsername(), password: PASSWORD, displayName: 'x'.repeat(1_100_000) });
    expectProblem(res, 413, 'payload_too_large');
  });

  it('when the body is gzip-compressed JSON, then it is read', async () => {
    const res = await fetch(stack.api.baseUrl + REGISTER, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(JSON.stringify({ username: uniqueUsername(), password: PASSWORD })),
    });
    expect(res.status).toBe(201);
  });

  it('when a body claims gzip but is not gzip at all, then 400 validation_failed (never a 500)', async () => {
    const res = await stack.api.request('POST', REGISTER, {
      rawBody: 'this is not gzip',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    });
    expectProblem(res, 400, 'validation_failed');
  });
});
