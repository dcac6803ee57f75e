import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, type TestUser, registerUser } from '@chat/testkit';
import { UUID, expectAccessAlive, expectAccessDead, expectInvalid, expectProblem, listSessions, login, refresh, sessionIdOf } from './helpers.js';
import { startAuthStack } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startAuthStack({ RATE_LIMIT_REGISTER_PER_HOUR: '1000', RATE_LIMIT_LOGIN_PER_MINUTE: '1000' });
});
afterAll(() => stack?.stop());

interface Device {
  accessToken: string;
  refreshToken: string;
  sessionId: string;
}

/** Logs `u` in once more: another device with its own session. */
async function anotherDevice(u: TestUser, deviceName?: string, userAgent?: string): Promise<Device> {
  const res = await login(
    stack.api,
    { identifier: u.username, password: u.password, ...(deviceName ? { deviceName } : {}) },
    userAgent ? { 'user-agent': userAgent } : undefined,
  );
  expect(res.status).toBe(200);
  const { accessToken, refreshToken } = res.body.tokens;
  return { accessToken, refreshToken, sessionId: sessionIdOf(accessToken) };
}

function revoke(token: string, sessionId: string) {
  return stack.api.delete(`/api/v1/auth/sessions/${sessionId}`, { token });
}

async function expectDeviceDead(d: Device): Promise<void> {
  await expectAccessDead(stack.api, d.accessToken);
  expectProblem(await refresh(stack.api, d.refreshToken), 401, 'unauthorized');
}

describe('GET /auth/sessions', () => {
  it('when a user has three sessions, then all are listed with the contract fields and only the caller’s is current', async () => {
    const u = await registerUser(stack.api);
    await anotherDevice(u, 'Phone', 'ChatPhone/2.0');
    const laptop = await anotherDevice(u, 'Laptop', 'ChatDesktop/3.1');

    const sessions = await listSessions(stack.api, laptop.accessToken);
    expect(sessions).toHaveLength(3);
    for (const s of sessions) {
      expect(Object.keys(s).sort()).toEqual(['createdAt', 'current', 'deviceName', 'id', 'ip', 'lastUsedAt', 'userAgent']);
      expect(s.id).toMatch(UUID);
      expect(new Date(s.createdAt).toISOString()).toBe(s.createdAt);
      expect(new Date(s.lastUsedAt).toISOString()).toBe(s.lastUsedAt);
      expect(typeof s.ip).toBe('string');
    }
    expect(sessions.filter((s) => s.current)).toEqual([expect.objectContaining({ id: laptop.sessionId, deviceName: 'Laptop', userAgent: 'ChatDesktop/3.1' })]);
    expect(sessions.find((s) => s.deviceName === 'Phone')).toMatchObject({ userAgent: 'ChatPhone/2.0', current: false });
    const page = await stack.api.get('/api/v1/auth/sessions', { token: laptop.accessToken });
    expect(page.body.page).toEqual({ nextCursor: null, hasMore: false });
  });

  it('when a session refreshes, then its lastUsedAt moves on and it records the refreshing client', async () => {
    const u = await registerUser(stack.api);
    const [before] = await listSessions(stack.api, u.accessToken);
    const res = await stack.api.post('/api/v1/auth/refresh', { refreshToken: u.refreshToken }, { headers: { 'user-agent': 'ChatRefresher/9' } });
    expect(res.status).toBe(200);

    const [after] = await listSessions(stack.api, res.body.tokens.accessToken);
    expect(after!.id).toBe(before!.id);
    expect(Date.parse(after!.lastUsedAt)).toBeGreaterThan(Date.parse(before!.lastUsedAt));
    expect(after!.createdAt).toBe(before!.createdAt);
    expect(after!.userAgent).toBe('ChatRefresher/9');
  });

  it('when another user lists sessions, then none of this user’s appear', async () => {
    const u = await registerUser(stack.api);
    const other = await registerUser(stack.api);
    const theirs = await listSessions(stack.api, other.accessToken);
    expect(theirs.map((s) => s.id)).toEqual([sessionIdOf(other.accessToken)]);
    expect(theirs.map((s) => s.id)).not.toContain(sessionIdOf(u.accessToken));
  });

  it('when no token is sent, then 401', async () => {
    expectProblem(await stack.api.get('/api/v1/auth/sessions'), 401, 'unauthorized');
  });
});

describe('DELETE /auth/sessions/:id', () => {
  it('when a user revokes one of their sessions, then 204 and that session’s access and refresh tokens stop working', async () => {
    const u = await registerUser(stack.api);
    const phone = await anotherDevice(u, 'Phone');

    const res = await revoke(u.accessToken, phone.sessionId);
    expect(res.status).toBe(204);

    await expectDeviceDead(phone);
    await expectAccessAlive(stack.api, u.accessToken);
    expect((await listSessions(stack.api, u.accessToken)).map((s) => s.id)).toEqual([sessionIdOf(u.accessToken)]);
    expectProblem(await revoke(u.accessToken, phone.sessionId), 404, 'not_found');
  });

  it('when a user revokes another user’s session id, then 404 and that session keeps working', async () => {
    const attacker = await registerUser(stack.api);
    const victim = await registerUser(stack.api);
    const victimSession = sessionIdOf(victim.accessToken);

    expectProblem(await revoke(attacker.accessToken, victimSession), 404, 'not_found');

    await expectAccessAlive(stack.api, victim.accessToken);
    expect((await listSessions(stack.api, victim.accessToken)).map((s) => s.id)).toContain(victimSession);
    expect((await refresh(stack.api, victim.refreshToken)).status).toBe(200);
  });

  it('when the id is not a uuid, then 400 validation_failed naming it', async () => {
    const u = await registerUser(stack.api);
    expectInvalid(await revoke(u.accessToken, 'not-a-uuid'), 'params.id');
  });

  it('when the id is a uuid that names no session, then 404', async () => {
    const u = await registerUser(stack.api);
    expectProblem(await revoke(u.accessToken, '01890000-0000-7000-8000-000000000000'), 404, 'not_found');
  });
});

describe('POST /auth/sessions/revoke-all', () => {
  it('when a user revokes all, then 204, every other session dies and the current one keeps working', async () => {
    const u = await registerUser(stack.api);
    const phone = await anotherDevice(u, 'Phone');
    const tablet = await anotherDevice(u, 'Tablet');
    const bystander = await registerUser(stack.api);

    const res = await stack.api.post('/api/v1/auth/sessions/revoke-all', undefined, { token: u.accessToken });
    expect(res.status).toBe(204);

    await expectDeviceDead(phone);
    await expectDeviceDead(tablet);
    const left = await listSessions(stack.api, u.accessToken);
    expect(left.map((s) => ({ id: s.id, current: s.current }))).toEqual([{ id: sessionIdOf(u.accessToken), current: true }]);
    expect((await refresh(stack.api, u.refreshToken)).status).toBe(200);
    await expectAccessAlive(stack.api, bystander.accessToken);
  });
});

describe('POST /auth/change-password', () => {
  const NEW_PASSWORD = 'a brand new passphrase';

  function changePassword(token: string, body: Record<string, unknown>) {
    return stack.api.post('/api/v1/auth/change-password', body, { token });
  }

  it('when the current password is wrong, then 403 forbidden and nothing changes', async () => {
    const u = await registerUser(stack.api);
    const phone = await anotherDevice(u);

    expectProblem(await changePassword(u.accessToken, { currentPassword: 'not my password', newPassword: NEW_PASSWORD }), 403, 'forbidden');

    await expectAccessAlive(stack.api, phone.accessToken);
    expect((await login(stack.api, { identifier: u.username, password: u.password })).status).toBe(200);
    expectProblem(await login(stack.api, { identifier: u.username, password: NEW_PASSWORD }), 401, 'unauthorized');
  });

  it('when the current password is right, then 204, other sessions die, the current stays and only the new password logs in', async () => {
    const u = await registerUser(stack.api);
    const phone = await anotherDevice(u);

    const res = await changePassword(u.accessToken, { currentPassword: u.password, newPassword: NEW_PASSWORD });
    expect(res.status).toBe(204);

    await expectDeviceDead(phone);
    await expectAccessAlive(stack.api, u.accessToken);
    expect((await refresh(stack.api, u.refreshToken)).status).toBe(200);
    expectProblem(await login(stack.api, { identifier: u.username, password: u.password }), 401, 'unauthorized');
    expect((await login(stack.api, { identifier: u.username, password: NEW_PASSWORD })).status).toBe(200);
  });

  it('when the current password is wrong 5 times, then the 6th attempt is 429 even with the right one, and another account is not affected', async () => {
    const [u, bystander] = await Promise.all([registerUser(stack.api), registerUser(stack.api)]);
    for (let i = 0; i < 5; i++)
      expectProblem(await changePassword(u.accessToken, { currentPassword: `wrong password ${i}`, newPassword: NEW_PASSWORD }), 403, 'forbidden');

    const locked = await changePassword(u.accessToken, { currentPassword: u.password, newPassword: NEW_PASSWORD });
    expectProblem(locked, 429, 'rate_limited');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expectProblem(await login(stack.api, { identifier: u.username, password: NEW_PASSWORD }), 401, 'unauthorized');
    expect((await changePassword(bystander.accessToken, { currentPassword: bystander.password, newPassword: NEW_PASSWORD })).status).toBe(204);
  });

  it('when the new password is too short, then 400 naming it and the old password still works', async () => {
    const u = await registerUser(stack.api);
    expectInvalid(await changePassword(u.accessToken, { currentPassword: u.password, newPassword: 'short' }), 'newPassword');
    expect((await login(stack.api, { identifier: u.username, password: u.password })).status).toBe(200);
  });

  it('when no token is sent, then 401 and the password is unchanged', async () => {
    const u = await registerUser(stack.api);
    expectProblem(await stack.api.post('/api/v1/auth/change-password', { currentPassword: u.password, newPassword: NEW_PASSWORD }), 401, 'unauthorized');
    expect((await login(stack.api, { identifier: u.username, password: u.password })).status).toBe(200);
  });
});
