import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EventRecorder, type Stack, closeStackDatabases, recordEvents, registerUser, smsTo, stackDatabase } from '@chat/testkit';
import { confirmPhone, expectInvalid, expectProblem, login, me, startPhoneVerification, verifyPhone } from './helpers.js';
import { startAuthStack } from './stack.js';

// Default limits: this file tests the wrong-code limit (5 per account).
let stack: Stack;
let events: EventRecorder;
beforeAll(async () => {
  stack = await startAuthStack({ RATE_LIMIT_REGISTER_PER_HOUR: '1000', RATE_LIMIT_MAIL_PER_HOUR: '1000', RATE_LIMIT_SENSITIVE_PER_15_MINUTES: '1000' });
  events = await recordEvents(stack, 'evt.auth.>');
});
afterAll(async () => {
  await events?.close();
  await closeStackDatabases();
  await stack?.stop();
});

function randomPhone(): string {
  return `+4477${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
}

async function userWithPhone(phone = randomPhone()) {
  const u = await registerUser(stack.api, { phone });
  return { ...u, phone };
}

const meOf = async (accessToken: string) => (await me(stack.api, accessToken)).body.user;

/** A well-formed code other than `code`. */
const otherCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

describe('POST /auth/verify-phone/start', () => {
  it('when the owner asks, then 202 and a 6-digit code is texted to the phone; only a hash of it is stored', async () => {
    const u = await userWithPhone();
    const code = await startPhoneVerification(stack, u.accessToken, u.phone);
    const [text] = await smsTo(stack.env.SMS_OUTBOX_DIR!, u.phone);
    expect(text).toMatchObject({ to: u.phone, code });

    const stored = await stackDatabase(stack).one('SELECT phone, code_hash FROM auth.phone_codes WHERE user_id = $1', [u.id]);
    expect(stored.phone).toBe(u.phone);
    expect(stored.code_hash).not.toContain(code);
  });

  it('when the account has no phone, or its phone is verified already, then 409 conflict and nothing is texted', async () => {
    const noPhone = await registerUser(stack.api);
    expectProblem(await stack.api.post('/api/v1/auth/verify-phone/start', undefined, { token: noPhone.accessToken }), 409, 'conflict');

    const u = await userWithPhone();
    await verifyPhone(stack, u.accessToken, u.phone);
    expectProblem(await stack.api.post('/api/v1/auth/verify-phone/start', undefined, { token: u.accessToken }), 409, 'conflict');
    expect(await smsTo(stack.env.SMS_OUTBOX_DIR!, u.phone)).toHaveLength(1);
  });

  it('when no access token is sent, then 401', async () => {
    expectProblem(await stack.api.post('/api/v1/auth/verify-phone/start'), 401, 'unauthorized');
  });
});

describe('POST /auth/verify-phone', () => {
  it('when the texted code is sent, then 204, the user shows phoneVerified and auth.user.phone_verified is published', async () => {
    const u = await userWithPhone();
    expect(await meOf(u.accessToken)).toMatchObject({ phone: u.phone, phoneVerified: false });
    const code = await startPhoneVerification(stack, u.accessToken, u.phone);

    expect((await confirmPhone(stack, u.accessToken, code)).status).toBe(204);
    expect(await meOf(u.accessToken)).toMatchObject({ phone: u.phone, phoneVerified: true });
    await events.waitFor('auth.user.phone_verified', { userId: u.id, phone: u.phone });
  });

  it('when a wrong code is sent, then 400 naming code and the phone stays unverified; the right code still works', async () => {
    const u = await userWithPhone();
    const code = await startPhoneVerification(stack, u.accessToken, u.phone);
    expectInvalid(await confirmPhone(stack, u.accessToken, otherCode(code)), 'code');
    expect((await meOf(u.accessToken)).phoneVerified).toBe(false);
    expect((await confirmPhone(stack, u.accessToken, code)).status).toBe(204);
  });

  it('when a used code is sent again, then 400 and no second event', async () => {
    const u = await userWithPhone();
    const code = await startPhoneVerification(stack, u.accessToken, u.phone);
    expect((await confirmPhone(stack, u.accessToken, code)).status).toBe(204);
    expectInvalid(await confirmPhone(stack, u.accessToken, code), 'code');
    await events.waitFor('auth.user.phone_verified', { userId: u.id });
    expect(events.filter('auth.user.phone_verified', { userId: u.id })).toHaveLength(1);
  });

  it('when a new code is asked for, then the earlier one no longer works', async () => {
    const u = await userWithPhone();
    const first = await startPhoneVerification(stack, u.accessToken, u.phone);
    const second = await startPhoneVerification(stack, u.accessToken, u.phone);
    if (first !== second) expectInvalid(await confirmPhone(stack, u.accessToken, first), 'code');
    expect((await confirmPhone(stack, u.accessToken, second)).status).toBe(204);
  });

  it('when the code has expired, then 400 and the phone stays unverified', async () => {
    const u = await userWithPhone();
    const code = await startPhoneVerification(stack, u.accessToken, u.phone);
    await stackDatabase(stack).none("UPDATE auth.phone_codes SET expires_at = now() - interval '1 second' WHERE user_id = $1", [u.id]);
    expectInvalid(await confirmPhone(stack, u.accessToken, code), 'code');
    expect((await meOf(u.accessToken)).phoneVerified).toBe(false);
  });

  it('when 5 wrong codes are sent, then the 6th attempt is 429 even with the right code, and another account is not affected', async () => {
    const [u, other] = await Promise.all([userWithPhone(), userWithPhone()]);
    const code = await startPhoneVerification(stack, u.accessToken, u.phone);
    for (let i = 0; i < 5; i++) expectInvalid(await confirmPhone(stack, u.accessToken, otherCode(code)), 'code');

    const limited = await confirmPhone(stack, u.accessToken, code);
    expectProblem(limited, 429, 'rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await meOf(u.accessToken)).phoneVerified).toBe(false);
    await verifyPhone(stack, other.accessToken, other.phone);
  });

  it('when the code is not 6 digits or unknown fields are sent, then 400 naming them', async () => {
    const u = await userWithPhone();
    expectInvalid(await confirmPhone(stack, u.accessToken, '12345'), 'code');
    expectInvalid(await stack.api.post('/api/v1/auth/verify-phone', { code: '123456', phone: u.phone }, { token: u.accessToken }), 'phone');
  });
});

describe('who holds a number', () => {
  it('when another account registers the same unverified number, then both may, and neither logs in by it', async () => {
    const phone = randomPhone();
    const [owner, squatter] = await Promise.all([userWithPhone(phone), userWithPhone(phone)]);
    expect(await meOf(squatter.accessToken)).toMatchObject({ phone, phoneVerified: false });
    expectProblem(await login(stack.api, { identifier: phone, password: owner.password }), 401, 'unauthorized');
  });

  it('when one account verifies a number others claimed unverified, then their claims and pending codes are dropped', async () => {
    const phone = randomPhone();
    const [owner, squatter] = await Promise.all([userWithPhone(phone), userWithPhone(phone)]);
    const squatterCode = await startPhoneVerification(stack, squatter.accessToken, phone);

    await verifyPhone(stack, owner.accessToken, phone);
    const after = await meOf(squatter.accessToken);
    expect(after.phone).toBeUndefined();
    expect(after.phoneVerified).toBe(false);
    expectInvalid(await confirmPhone(stack, squatter.accessToken, squatterCode), 'code');
    expect((await login(stack.api, { identifier: phone, password: owner.password })).body.user?.id).toBe(owner.id);
  });

  it('when a number another account has verified is registered again, then 409 conflict and it stays the first account’s', async () => {
    const phone = randomPhone();
    const owner = await userWithPhone(phone);
    await verifyPhone(stack, owner.accessToken, phone);
    expectProblem(await stack.api.post('/api/v1/auth/register', { username: `late_${Date.now()}`, password: 'correct horse battery', phone }), 409, 'conflict');
    expect(await meOf(owner.accessToken)).toMatchObject({ phone, phoneVerified: true });
    expect((await login(stack.api, { identifier: phone, password: owner.password })).body.user?.id).toBe(owner.id);
  });

  it('when two accounts verify one number at once, then exactly one wins', async () => {
    const phone = randomPhone();
    const [a, b] = await Promise.all([userWithPhone(phone), userWithPhone(phone)]);
    const codes = [await startPhoneVerification(stack, a.accessToken, phone), await startPhoneVerification(stack, b.accessToken, phone)];
    const results = await Promise.all([confirmPhone(stack, a.accessToken, codes[0]!), confirmPhone(stack, b.accessToken, codes[1]!)]);
    // The loser either hits the winner's verified number (409) or finds its own claim already dropped (400).
    expect(results.filter((r) => r.status === 204)).toHaveLength(1);
    expect([400, 409]).toContain(results.find((r) => r.status !== 204)?.status);
    const verified = await Promise.all([meOf(a.accessToken), meOf(b.accessToken)]);
    expect(verified.filter((u) => u.phoneVerified)).toHaveLength(1);
  });
});
