import speakeasy from 'speakeasy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, type TestUser, registerUser } from '@chat/testkit';
import { expectInvalid, expectProblem, login, me } from './helpers.js';
import { startAuthStack } from './stack.js';

// This file tests the failed-code limit: 3 failures per user (wrong passwords: the default 5 per account).
let stack: Stack;
beforeAll(async () => {
  stack = await startAuthStack({ TOTP_MAX_FAILURES: '3' });
});
afterAll(() => stack?.stop());

const STEP_S = 30;

/** The code of the time step `steps` away from now. */
function totp(secret: string, steps = 0): string {
  return speakeasy.totp({ secret, encoding: 'base32', time: Math.floor(Date.now() / 1000) + steps * STEP_S });
}

/** A well-formed code that matches no step the server could accept now. */
function wrongCode(secret: string): string {
  const near = new Set([-2, -1, 0, 1, 2].map((s) => totp(secret, s)));
  for (let n = 0; ; n++) {
    const code = String((Number(totp(secret)) + 1 + n * 7919) % 1_000_000).padStart(6, '0');
    if (!near.has(code)) return code;
  }
}

function post(path: string, token: string, body?: unknown) {
  return stack.api.post(`/api/v1/auth/2fa/${path}`, body, { token });
}

async function setup(u: TestUser): Promise<string> {
  const res = await post('setup', u.accessToken);
  expect(res.status).toBe(200);
  return res.body.secret;
}

/** Registers a user and turns 2FA on; returns the secret and the code spent on enabling. */
async function userWithTwoFactor(): Promise<{ u: TestUser; secret: string; enableCode: string }> {
  const u = await registerUser(stack.api);
  const secret = await setup(u);
  const enableCode = totp(secret);
  expect((await post('enable', u.accessToken, { code: enableCode })).status).toBe(204);
  return { u, secret, enableCode };
}

async function twoFactorEnabled(u: TestUser): Promise<boolean> {
  return (await me(stack.api, u.accessToken)).body.user.twoFactorEnabled;
}

describe('set-up and enabling', () => {
  it('when set-up starts, then it returns a base32 secret, an otpauth URL and a PNG QR code, and 2FA is not on yet', async () => {
    const u = await registerUser(stack.api);
    const res = await post('setup', u.accessToken);
    expect(res.status).toBe(200);
    expect(res.body.secret).toMatch(/^[A-Z2-7]+=*$/);
    expect(res.body.otpauthUrl).toMatch(/^otpauth:\/\/totp\//);
    expect(new URL(res.body.otpauthUrl).searchParams.get('secret')).toBe(res.body.secret);
    expect(res.body.qrCodeDataUrl).toMatch(/^data:image\/png;base64,/);

    expect(await twoFactorEnabled(u)).toBe(false);
    expect((await login(stack.api, { identifier: u.username, password: u.password })).status).toBe(200);
  });

  it('when a valid code enables it, then 204 and /auth/me shows twoFactorEnabled', async () => {
    const { u } = await userWithTwoFactor();
    expect(await twoFactorEnabled(u)).toBe(true);
  });

  it('when the code to enable is wrong, then 401 totp_invalid and 2FA stays off', async () => {
    const u = await registerUser(stack.api);
    const secret = await setup(u);
    expectProblem(await post('enable', u.accessToken, { code: wrongCode(secret) }), 401, 'totp_invalid');
    expect(await twoFactorEnabled(u)).toBe(false);
  });

  it('when enabling comes before set-up, or set-up after enabling, then 409 conflict', async () => {
    const fresh = await registerUser(stack.api);
    expectProblem(await post('enable', fresh.accessToken, { code: '123456' }), 409, 'conflict');
    const { u } = await userWithTwoFactor();
    expectProblem(await post('setup', u.accessToken), 409, 'conflict');
    expect(await twoFactorEnabled(u)).toBe(true);
  });

  it('when the code is not 6 digits, then 400 naming it', async () => {
    const u = await registerUser(stack.api);
    await setup(u);
    expectInvalid(await post('enable', u.accessToken, { code: '12345' }), 'code');
  });
});

describe('logging in with 2FA on', () => {
  it('when no code is sent, then 401 totp_required', async () => {
    const { u } = await userWithTwoFactor();
    expectProblem(await login(stack.api, { identifier: u.username, password: u.password }), 401, 'totp_required');
  });

  it('when the password is wrong, then 401 unauthorized, never a hint that 2FA is on', async () => {
    const { u, secret } = await userWithTwoFactor();
    expectProblem(await login(stack.api, { identifier: u.username, password: 'not the password' }), 401, 'unauthorized');
    expectProblem(await login(stack.api, { identifier: u.username, password: 'not the password', totp: totp(secret, 1) }), 401, 'unauthorized');
  });

  it('when the code is wrong, then 401 totp_invalid', async () => {
    const { u, secret } = await userWithTwoFactor();
    expectProblem(await login(stack.api, { identifier: u.username, password: u.password, totp: wrongCode(secret) }), 401, 'totp_invalid');
  });

  it('when the code spent on enabling is replayed, then totp_invalid; the next step’s code logs in once, and only once', async () => {
    const { u, secret, enableCode } = await userWithTwoFactor();
    expectProblem(await login(stack.api, { identifier: u.username, password: u.password, totp: enableCode }), 401, 'totp_invalid');

    const next = totp(secret, 1);
    const ok = await login(stack.api, { identifier: u.username, password: u.password, totp: next });
    expect(ok.status).toBe(200);
    expect(ok.body.user).toMatchObject({ id: u.id, twoFactorEnabled: true });

    expectProblem(await login(stack.api, { identifier: u.username, password: u.password, totp: next }), 401, 'totp_invalid');
  });
});

describe('replays racing each other', () => {
  it('when two logins race with one fresh code, then exactly one gets in and the other is totp_invalid', async () => {
    const { u, secret } = await userWithTwoFactor();
    const code = totp(secret, 1);
    const results = await Promise.all([1, 2].map(() => login(stack.api, { identifier: u.username, password: u.password, totp: code })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    expect(results.find((r) => r.status === 401)?.body.code).toBe('totp_invalid');
  });
});

describe('failed-code limit', () => {
  it('when 3 wrong codes are sent to enable, then the 4th attempt is 429 even with a valid code, and another user is not affected', async () => {
    const u = await registerUser(stack.api);
    const secret = await setup(u);
    for (let i = 0; i < 3; i++) expectProblem(await post('enable', u.accessToken, { code: wrongCode(secret) }), 401, 'totp_invalid');

    const blocked = await post('enable', u.accessToken, { code: totp(secret) });
    expectProblem(blocked, 429, 'rate_limited');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await twoFactorEnabled(u)).toBe(false);

    const { u: other } = await userWithTwoFactor();
    expect(await twoFactorEnabled(other)).toBe(true);
  });

  it('when 3 wrong codes are sent to disable, then a valid code is refused with 429 and 2FA stays on', async () => {
    const { u, secret } = await userWithTwoFactor();
    for (let i = 0; i < 3; i++) expectProblem(await post('disable', u.accessToken, { code: wrongCode(secret), password: u.password }), 401, 'totp_invalid');

    expectProblem(await post('disable', u.accessToken, { code: totp(secret, 1), password: u.password }), 429, 'rate_limited');
    expect(await twoFactorEnabled(u)).toBe(true);
  });
});

describe('disabling', () => {
  it('when a fresh valid code disables it, then 204, /auth/me shows it off and login needs no code', async () => {
    const { u, secret } = await userWithTwoFactor();
    expect((await post('disable', u.accessToken, { code: totp(secret, 1), password: u.password })).status).toBe(204);

    expect(await twoFactorEnabled(u)).toBe(false);
    expect((await login(stack.api, { identifier: u.username, password: u.password })).status).toBe(200);
  });

  it('when the code spent on enabling is replayed to disable, then totp_invalid and 2FA stays on', async () => {
    const { u, enableCode } = await userWithTwoFactor();
    expectProblem(await post('disable', u.accessToken, { code: enableCode, password: u.password }), 401, 'totp_invalid');
    expect(await twoFactorEnabled(u)).toBe(true);
  });

  it('when no password is sent, then 400 naming it and 2FA stays on', async () => {
    const { u, secret } = await userWithTwoFactor();
    expectInvalid(await post('disable', u.accessToken, { code: totp(secret, 1) }), 'password');
    expect(await twoFactorEnabled(u)).toBe(true);
  });

  it('when the password is wrong, then 401 unauthorized, 2FA stays on and the code is not spent', async () => {
    const { u, secret } = await userWithTwoFactor();
    const code = totp(secret, 1);
    expectProblem(await post('disable', u.accessToken, { code, password: 'not my password' }), 401, 'unauthorized');
    expect(await twoFactorEnabled(u)).toBe(true);
    expect((await post('disable', u.accessToken, { code, password: u.password })).status).toBe(204);
  });

  it('when wrong passwords to disable it and to change the password reach the account’s limit, then 429 even with the right password and code', async () => {
    const { u, secret } = await userWithTwoFactor();
    for (let i = 0; i < 2; i++)
      expectProblem(await post('disable', u.accessToken, { code: totp(secret, 1), password: 'not my password' }), 401, 'unauthorized');
    for (let i = 0; i < 3; i++) {
      const res = await stack.api.post(
        '/api/v1/auth/change-password',
        { currentPassword: 'not my password', newPassword: 'another passphrase' },
        { token: u.accessToken },
      );
      expectProblem(res, 403, 'forbidden');
    }

    const locked = await post('disable', u.accessToken, { code: totp(secret, 1), password: u.password });
    expectProblem(locked, 429, 'rate_limited');
    expect(locked.body.detail).toMatch(/password/);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await twoFactorEnabled(u)).toBe(true);
  });

  it('when 2FA is off, then disabling is 409 conflict', async () => {
    const u = await registerUser(stack.api);
    expectProblem(await post('disable', u.accessToken, { code: '123456', password: u.password }), 409, 'conflict');
  });
});
