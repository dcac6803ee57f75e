import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, type TestUser, mailsTo, registerUser, uniqueUsername, waitForMail } from '@chat/testkit';
import { expectAccessDead, expectInvalid, expectProblem, login, me, refresh } from './helpers.js';
import { startAuthStack } from './stack.js';

const CONFIRM = /Confirm/;
const RESET = /Reset/;
const NEW_PASSWORD = 'my recovered passphrase';

let stack: Stack;
let mailbox: string;
beforeAll(async () => {
  stack = await startAuthStack({ RATE_LIMIT_REGISTER_PER_HOUR: '1000', RATE_LIMIT_MAIL_PER_HOUR: '1000', RATE_LIMIT_SENSITIVE_PER_15_MINUTES: '1000' });
  mailbox = stack.isolation.env.MAILBOX_DIR!;
});
afterAll(() => stack?.stop());

function verifyEmail(token: string) {
  return stack.api.post('/api/v1/auth/verify-email', { token });
}

function forgotPassword(email: string) {
  return stack.api.post('/api/v1/auth/forgot-password', { email });
}

function resetPassword(token: string, newPassword = NEW_PASSWORD) {
  return stack.api.post('/api/v1/auth/reset-password', { token, newPassword });
}

/** A registered user who confirmed the email address (reset links go to verified addresses only). */
async function verifiedUser(): Promise<TestUser> {
  const u = await registerUser(stack.api);
  const { token } = await waitForMail(mailbox, u.email, CONFIRM);
  expect((await verifyEmail(token!)).status).toBe(204);
  return u;
}

/** A token of the right shape that was never issued. */
const garbageToken = () => randomBytes(32).toString('base64url');

describe('email verification', () => {
  it('when a user registers with an email, then a mail carries a token that verifies the address', async () => {
    const u = await registerUser(stack.api);
    const mail = await waitForMail(mailbox, u.email, CONFIRM);
    expect(mail.token).toBeTruthy();
    expect(mail.text).toContain(mail.token);
    expect((await me(stack.api, u.accessToken)).body.user.emailVerified).toBe(false);

    const res = await verifyEmail(mail.token!);
    expect(res.status).toBe(204);
    expect((await me(stack.api, u.accessToken)).body.user.emailVerified).toBe(true);
  });

  it('when a verification token is used a second time, then 400', async () => {
    const u = await registerUser(stack.api);
    const { token } = await waitForMail(mailbox, u.email, CONFIRM);
    expect((await verifyEmail(token!)).status).toBe(204);
    expectInvalid(await verifyEmail(token!), 'token');
  });

  it('when one verification token is used twice at once, then exactly one use succeeds', async () => {
    const u = await registerUser(stack.api);
    const { token } = await waitForMail(mailbox, u.email, CONFIRM);
    const results = await Promise.all([verifyEmail(token!), verifyEmail(token!)]);
    expect(results.map((r) => r.status).sort()).toEqual([204, 400]);
  });

  it('when the token was never issued, then 400 and nobody is verified', async () => {
    const u = await registerUser(stack.api);
    expectInvalid(await verifyEmail(garbageToken()), 'token');
    expectInvalid(await verifyEmail('short'), 'token');
    expect((await me(stack.api, u.accessToken)).body.user.emailVerified).toBe(false);
  });

  it('when a verification token is offered as a reset token, then 400 and the password is unchanged', async () => {
    const u = await registerUser(stack.api);
    const { token } = await waitForMail(mailbox, u.email, CONFIRM);
    expectInvalid(await resetPassword(token!), 'token');
    expect((await login(stack.api, { identifier: u.username, password: u.password })).status).toBe(200);
  });
});

describe('password reset', () => {
  it('when a known and an unknown address ask for a reset, then both get the same 202, and only the known one gets a mail', async () => {
    const u = await verifiedUser();
    const unknown = `${uniqueUsername('nobody')}@example.test`;

    const forUnknown = await forgotPassword(unknown);
    const forKnown = await forgotPassword(u.email);
    expect(forKnown.status).toBe(202);
    expect({ status: forUnknown.status, contentType: forUnknown.headers.get('content-type'), body: forUnknown.body }).toEqual({
      status: forKnown.status,
      contentType: forKnown.headers.get('content-type'),
      body: forKnown.body,
    });

    const mail = await waitForMail(mailbox, u.email, RESET);
    expect(mail.token).toBeTruthy();
    expect(await mailsTo(mailbox, unknown)).toEqual([]);
  });

  it('when the address was never verified, then the same 202 but no reset mail goes out', async () => {
    const unverified = await registerUser(stack.api);
    const verified = await verifiedUser();
    const forUnverified = await forgotPassword(unverified.email);
    const forVerified = await forgotPassword(verified.email);
    expect([forUnverified.status, forVerified.status]).toEqual([202, 202]);
    expect(forUnverified.body).toEqual(forVerified.body);

    // Asked for after the unverified one: once its mail is there, the other's lookup has run.
    await waitForMail(mailbox, verified.email, RESET);
    expect((await mailsTo(mailbox, unverified.email)).filter((m) => RESET.test(m.subject))).toEqual([]);
  });

  it('when the password is changed, then a reset link mailed before no longer works', async () => {
    const u = await verifiedUser();
    await forgotPassword(u.email);
    const { token } = await waitForMail(mailbox, u.email, RESET);
    const changed = await stack.api.post(
      '/api/v1/auth/change-password',
      { currentPassword: u.password, newPassword: 'a changed passphrase' },
      { token: u.accessToken },
    );
    expect(changed.status).toBe(204);

    expectInvalid(await resetPassword(token!), 'token');
    expect((await login(stack.api, { identifier: u.username, password: 'a changed passphrase' })).status).toBe(200);
  });

  it('when the address is typed in another case, then the account still gets the mail', async () => {
    const u = await verifiedUser();
    expect((await forgotPassword(u.email.toUpperCase())).status).toBe(202);
    expect((await waitForMail(mailbox, u.email, RESET)).token).toBeTruthy();
  });

  it('when the reset token is used, then 204, every session dies, the new password logs in and the old one not', async () => {
    const u = await verifiedUser();
    const phone = await login(stack.api, { identifier: u.username, password: u.password });
    await forgotPassword(u.email);
    const { token } = await waitForMail(mailbox, u.email, RESET);

    const res = await resetPassword(token!);
    expect(res.status).toBe(204);

    await expectAccessDead(stack.api, u.accessToken);
    await expectAccessDead(stack.api, phone.body.tokens.accessToken);
    expectProblem(await refresh(stack.api, u.refreshToken), 401, 'unauthorized');
    expectProblem(await login(stack.api, { identifier: u.username, password: u.password }), 401, 'unauthorized');
    expect((await login(stack.api, { identifier: u.username, password: NEW_PASSWORD })).status).toBe(200);
  });

  it('when a reset token is used a second time, then 400 and the password set by the first use stays', async () => {
    const u = await verifiedUser();
    await forgotPassword(u.email);
    const { token } = await waitForMail(mailbox, u.email, RESET);
    expect((await resetPassword(token!)).status).toBe(204);

    expectInvalid(await resetPassword(token!, 'an attacker passphrase'), 'token');
    expect((await login(stack.api, { identifier: u.username, password: NEW_PASSWORD })).status).toBe(200);
  });

  it('when one reset token is used twice at once with two passwords, then exactly one wins and only its password logs in', async () => {
    const u = await verifiedUser();
    await forgotPassword(u.email);
    const { token } = await waitForMail(mailbox, u.email, RESET);
    const passwords = ['first racing passphrase', 'second racing passphrase'];
    const results = await Promise.all(passwords.map((p) => resetPassword(token!, p)));
    expect(results.map((r) => r.status).sort()).toEqual([204, 400]);

    const winner = passwords[results.findIndex((r) => r.status === 204)]!;
    const loser = passwords.find((p) => p !== winner)!;
    expect((await login(stack.api, { identifier: u.username, password: winner })).status).toBe(200);
    expectProblem(await login(stack.api, { identifier: u.username, password: loser }), 401, 'unauthorized');
  });

  it('when a second reset is asked for, then the first mail’s token no longer works and the second one does', async () => {
    const u = await verifiedUser();
    await forgotPassword(u.email);
    const first = await waitForMail(mailbox, u.email, RESET, 1);
    await forgotPassword(u.email);
    const second = await waitForMail(mailbox, u.email, RESET, 2);
    expect(second.token).not.toBe(first.token);

    expectInvalid(await resetPassword(first.token!), 'token');
    expect((await resetPassword(second.token!)).status).toBe(204);
  });

  it('when the new password is too short, then 400 and the token stays usable', async () => {
    const u = await verifiedUser();
    await forgotPassword(u.email);
    const { token } = await waitForMail(mailbox, u.email, RESET);

    expectInvalid(await resetPassword(token!, 'short'), 'newPassword');
    expect((await resetPassword(token!)).status).toBe(204);
  });

  it('when the reset token was never issued, then 400', async () => {
    expectInvalid(await resetPassword(garbageToken()), 'token');
  });

  it('when the email is malformed, then 400 naming it', async () => {
    expectInvalid(await forgotPassword('not an email'), 'email');
  });
});
