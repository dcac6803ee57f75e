import { boot as bootAuth } from '@chat/auth';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, registerUser, startService, waitFor } from '@chat/testkit';
import { expectAccessAlive, expectAccessDead, login, sessionIdOf } from './helpers.js';
import { startAuthStack } from './stack.js';

let stack: Stack;
let redis: ReturnType<typeof createClient>;
beforeAll(async () => {
  stack = await startAuthStack();
  redis = createClient({ url: stack.env.REDIS_URL });
  await redis.connect();
});
afterAll(async () => {
  await redis?.close();
  await stack?.stop();
});

/** Simulates Redis losing its data: the revocation list entry of `sessionId` disappears. */
async function forgetRevocation(sessionId: string): Promise<void> {
  expect(await redis.del(`${stack.env.REDIS_PREFIX}revoked-session:${sessionId}`)).toBe(1);
}

describe('revocation list', () => {
  it('when Redis loses the revocation list, then the next start of the auth service rebuilds it and the revoked access token is refused again', async () => {
    const u = await registerUser(stack.api);
    const keeper = await login(stack.api, { identifier: u.username, password: u.password });
    expect((await stack.api.post('/api/v1/auth/logout', undefined, { token: u.accessToken })).status).toBe(204);
    await expectAccessDead(stack.api, u.accessToken);

    await forgetRevocation(sessionIdOf(u.accessToken));
    // Without the list the signature alone would let the token through again.
    await expectAccessAlive(stack.api, u.accessToken);

    const replica = await startService(bootAuth, stack.env);
    try {
      await expectAccessDead(stack.api, u.accessToken);
      await expectAccessAlive(stack.api, keeper.body.tokens.accessToken);
    } finally {
      await replica.stop();
    }
  });

  it('when Redis is flushed while everything runs, then tokens are refused until the running auth service has rebuilt the list, and the revoked one stays refused', async () => {
    const u = await registerUser(stack.api);
    const keeper = await login(stack.api, { identifier: u.username, password: u.password });
    expect((await stack.api.post('/api/v1/auth/logout', undefined, { token: u.accessToken })).status).toBe(204);

    for await (const keys of redis.scanIterator({ MATCH: `${stack.env.REDIS_PREFIX}*` })) if (keys.length) await redis.del(keys);
    // Never "not revoked" while the list is missing: refused (503) or revoked (401).
    expect((await stack.api.get('/api/v1/auth/me', { token: u.accessToken })).status).not.toBe(200);

    await waitFor(
      async () => ((await stack.api.get('/api/v1/auth/me', { token: keeper.body.tokens.accessToken })).status === 200 ? true : undefined),
      10_000,
      'the list rebuilt',
    );
    await expectAccessDead(stack.api, u.accessToken);
  });

  it('when a session is revoked, then its access token is refused by the gateway and by the auth service itself', async () => {
    const u = await registerUser(stack.api);
    const other = await login(stack.api, { identifier: u.username, password: u.password });
    const res = await stack.api.delete(`/api/v1/auth/sessions/${sessionIdOf(u.accessToken)}`, { token: other.body.tokens.accessToken });
    expect(res.status).toBe(204);

    await expectAccessDead(stack.api, u.accessToken);
    const direct = await fetch(`${stack.services.auth!.url}/auth/me`, { headers: { authorization: `Bearer ${u.accessToken}` } });
    expect(direct.status).toBe(401);
  });
});
