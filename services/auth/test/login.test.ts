import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, registerUser, uniqueUsername } from '@chat/testkit';
import { expectInvalid, expectProblem, listSessions, login, me, verifyPhone } from './helpers.js';
import { startAuthStack } from './stack.js';

// Default limits: this file tests the brute-force limit (5 failed logins per identifier).
let stack: Stack;
beforeAll(async () => {
  stack = await startAuthStack();
});
afterAll(() => stack?.stop());

function randomPhone(): string {
  return `+4420${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
}

/** The parts of a problem answer that must not tell two failures apart (requestId aside). */
function answerOf(res: { status: number; headers: Headers; body: Record<string, unknown> }) {
  const { type, title, status, detail, code, errors } = res.body;
  return { httpStatus: res.status, contentType: res.headers.get('content-type'), type, title, status, detail, code, errors };
}

describe('POST /auth/login', () => {
  it('when the username and password are right, then 200 with the same user and working tokens', async () => {
    const u = await registerUser(stack.api);
    const res = await login(stack.api, { identifier: u.username, password: u.password });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: u.id, username: u.username, appId: u.appId });
    expect(res.body.tokens.accessToken).not.toBe(u.accessToken);
    expect(res.body.tokens.refreshToken).not.toBe(u.refreshToken);
    expect((await me(stack.api, res.body.tokens.accessToken)).body.user.id).toBe(u.id);
  });

  it('when the username is typed in capitals, then it still logs in', async () => {
    const u = await registerUser(stack.api);
    const res = await login(stack.api, { identifier: ` ${u.username.toUpperCase()} `, password: u.password });
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(u.id);
  });

  it('when the identifier is the email in any case, then it logs in', async () => {
    const u = await registerUser(stack.api);
    for (const identifier of [u.email, u.email.toUpperCase()]) {
      const res = await login(stack.api, { identifier, password: u.password });
      expect(res.status).toBe(200);
      expect(res.body.user.id).toBe(u.id);
    }
  });

  it('when the identifier is a verified phone, then it logs in', async () => {
    const phone = randomPhone();
    const u = await registerUser(stack.api, { phone });
    await verifyPhone(stack, u.accessToken, phone);
    const res = await login(stack.api, { identifier: phone, password: u.password });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: u.id, phone, phoneVerified: true });
  });

  it('when the identifier is a phone nobody verified, then 401 as for an unknown user, even with the right password', async () => {
    const phone = randomPhone();
    const u = await registerUser(stack.api, { phone });
    expectProblem(await login(stack.api, { identifier: phone, password: u.password }), 401, 'unauthorized');
    expect((await login(stack.api, { identifier: u.username, password: u.password })).status).toBe(200);
  });

  it('when the password is wrong or the user unknown, then both get the very same 401 unauthorized', async () => {
    const u = await registerUser(stack.api);
    const wrongPassword = await login(stack.api, { identifier: u.username, password: 'not the password' });
    const unknownUser = await login(stack.api, { identifier: uniqueUsername('ghost'), password: 'not the password' });
    expectProblem(wrongPassword, 401, 'unauthorized');
    expect(answerOf(unknownUser)).toEqual(answerOf(wrongPassword));
  });

  it('when the password is right but longer than 72 bytes, then 401 (bcrypt would silently cut it)', async () => {
    const u = await registerUser(stack.api, { password: 'x'.repeat(72) });
    expect((await login(stack.api, { identifier: u.username, password: 'x'.repeat(72) })).status).toBe(200);
    expectProblem(await login(stack.api, { identifier: u.username, password: `${'x'.repeat(72)}y` }), 401, 'unauthorized');
  });

  it('when a device name and user agent are sent, then the new session shows them as the current one', async () => {
    const u = await registerUser(stack.api);
    const res = await login(stack.api, { identifier: u.username, password: u.password, deviceName: 'Work laptop' }, { 'user-agent': 'ChatTest/1.0' });
    expect(res.status).toBe(200);

    const sessions = await listSessions(stack.api, res.body.tokens.accessToken);
    expect(sessions).toHaveLength(2);
    const current = sessions.find((s) => s.current);
    expect(current).toMatchObject({ deviceName: 'Work laptop', userAgent: 'ChatTest/1.0' });
  });

  it('when a client sends its own X-Forwarded-For, then the session records the real peer address instead', async () => {
    const u = await registerUser(stack.api);
    const res = await login(stack.api, { identifier: u.username, password: u.password }, { 'x-forwarded-for': '203.0.113.77' });
    expect(res.status).toBe(200);
    const current = (await listSessions(stack.api, res.body.tokens.accessToken)).find((s) => s.current);
    expect(current?.ip).toBeTruthy();
    expect(current?.ip).not.toContain('203.0.113.77');
  });

  it('when fields are missing or unknown, then 400 naming them', async () => {
    expectInvalid(await login(stack.api, { password: 'whatever1' }), 'identifier');
    expectInvalid(await login(stack.api, { identifier: 'someone', password: 'whatever1', remember: true }), 'remember');
  });

  it('when the identifier is not a string, then 400 naming it (never a 500)', async () => {
    expectInvalid(await login(stack.api, { identifier: { toString: 1 }, password: 'whatever1' }), 'identifier');
    expectInvalid(await login(stack.api, { identifier: ['a'], password: 'whatever1' }), 'identifier');
  });

  it('when the identifier holds a NUL character, then 400 naming it (never a 500)', async () => {
    expectInvalid(await login(stack.api, { identifier: 'someone\u0000', password: 'whatever1' }), 'identifier');
  });
});

describe('brute force', () => {
  it('when one identifier fails 5 times, then the next attempt is 429 even with the right password, while another identifier logs in', async () => {
    const victim = await registerUser(stack.api);
    const bystander = await registerUser(stack.api);
    for (let i = 0; i < 5; i++) {
      expectProblem(await login(stack.api, { identifier: victim.username, password: `wrong password ${i}` }), 401, 'unauthorized');
    }

    const blocked = await login(stack.api, { identifier: victim.username, password: victim.password });
    expectProblem(blocked, 429, 'rate_limited');
    const retryAfter = Number(blocked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(blocked.headers.get('ratelimit')).toBeTruthy();
    expect(blocked.headers.get('ratelimit-policy')).toBeTruthy();

    // The count is per identifier whatever its case.
    expectProblem(await login(stack.api, { identifier: victim.username.toUpperCase(), password: victim.password }), 429, 'rate_limited');

    const other = await login(stack.api, { identifier: bystander.username, password: bystander.password });
    expect(other.status).toBe(200);
    expect(other.body.user.id).toBe(bystander.id);
  });

  it('when a locked identifier is respelled with a non-ASCII capital (İ for i), then that spelling logs nobody in either', async () => {
    const username = uniqueUsername('mia');
    const u = await registerUser(stack.api, { username, email: `${username}@mail.example` });
    for (let i = 0; i < 5; i++) await login(stack.api, { identifier: u.username, password: `wrong password ${i}` });
    expectProblem(await login(stack.api, { identifier: u.username, password: u.password }), 429, 'rate_limited');

    const respelled = u.username.replace('i', 'İ');
    expectProblem(await login(stack.api, { identifier: respelled, password: u.password }), 401, 'unauthorized');
    expectProblem(await login(stack.api, { identifier: u.email.replace('i', 'İ'), password: u.password }), 401, 'unauthorized');
    expect(u.email.replace('i', 'İ')).not.toBe(u.email);
  });

  it('when an identifier fails 4 times, then the right password still logs in', async () => {
    const u = await registerUser(stack.api);
    for (let i = 0; i < 4; i++) await login(stack.api, { identifier: u.username, password: `wrong password ${i}` });
    expect((await login(stack.api, { identifier: u.username, password: u.password })).status).toBe(200);
  });
});
