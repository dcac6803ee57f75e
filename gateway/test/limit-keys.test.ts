import { boot as bootAuth } from '@chat/auth';
import { boot as bootGateway } from '@chat/gateway';
import { type Stack, startStack } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ADMIN_KEY = 'platform-admin-key-for-limit-key-tests';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    gateway: bootGateway,
    services: { auth: bootAuth },
    env: {
      PLATFORM_ADMIN_KEY: ADMIN_KEY,
      RATE_LIMIT_REGISTER_PER_HOUR: '2',
      RATE_LIMIT_MAIL_PER_HOUR: '2',
      RATE_LIMIT_SERVER_KEY_FAILURES_PER_MINUTE: '4',
      RATE_LIMIT_SERVER_PER_MINUTE: '6',
    },
  });
});
afterAll(() => stack?.stop());

const randomKey = () => `ak_${Math.random().toString(36).slice(2)}`;

async function createApp(on: Stack): Promise<{ apiKey: string; apiSecret: string }> {
  const res = await on.api.post('/api/v1/admin/apps', { name: `limits ${Math.random()}` }, { headers: { 'x-admin-key': ADMIN_KEY } });
  expect(res.status).toBe(201);
  return res.body;
}

describe('gateway limit keys', () => {
  it('when each registration carries a different made-up X-Api-Key, then they still share the IP budget', async () => {
    const register = (i: number) =>
      stack.api.post(
        '/api/v1/auth/register',
        { username: `keyed_${i}_${stack.isolation.id}`, password: 'long enough password' },
        { headers: { 'x-api-key': randomKey() } },
      );
    expect((await register(0)).status).toBe(201);
    expect((await register(1)).status).toBe(201);
    const limited = await register(2);
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('rate_limited');
  });

  it('when forgot-password mails are asked with fresh API keys each time, then the mail budget per IP holds', async () => {
    const ask = () =>
      stack.api.post('/api/v1/auth/forgot-password', { email: 'victim@example.com' }, { headers: { 'x-api-key': randomKey(), 'x-api-secret': 'x' } });
    expect((await ask()).status).toBe(202);
    expect((await ask()).status).toBe(202);
    expect((await ask()).status).toBe(429);
  });

  it('when a server route is called with a made-up key pair, then 401, and the failures are limited per IP', async () => {
    const mint = () => stack.api.post('/api/v1/server/token', { externalId: 'someone' }, { headers: { 'x-api-key': randomKey(), 'x-api-secret': 'as_wrong' } });
    for (let i = 0; i < 4; i++) {
      const res = await mint();
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('unauthorized');
    }
    expect((await mint()).status).toBe(429);
  });
});

// Its own stack: the IP budget for failed key checks above must not decide this one.
describe('gateway limit keys for a real app', () => {
  let own: Stack;
  beforeAll(async () => {
    own = await startStack({ gateway: bootGateway, services: { auth: bootAuth }, env: { PLATFORM_ADMIN_KEY: ADMIN_KEY, RATE_LIMIT_SERVER_PER_MINUTE: '6' } });
  });
  afterAll(() => own?.stop());

  it('when a real key pair mints tokens, then its own bucket counts them, apart from every other app and from the IP', async () => {
    const [a, b] = await Promise.all([createApp(own), createApp(own)]);
    const mint = (app: { apiKey: string; apiSecret: string }, i: number) =>
      own.api.post('/api/v1/server/token', { externalId: `user-${i}` }, { headers: { 'x-api-key': app.apiKey, 'x-api-secret': app.apiSecret } });
    for (let i = 0; i < 6; i++) expect((await mint(a, i)).status).toBe(200);
    const limited = await mint(a, 6);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('ratelimit')).toMatch(/"gw-server"; r=0/);
    expect((await mint(b, 0)).status).toBe(200);
  });
});

describe('gateway metrics', () => {
  it('when /metrics is asked on the public port, then 404; the ops listener serves it', async () => {
    expect((await fetch(`${stack.gateway.url}/metrics`)).status).toBe(404);
    const ops = await fetch(`${stack.gateway.opsUrl}/metrics`);
    expect(ops.status).toBe(200);
    expect(await ops.text()).toContain('http_request');
    expect((await fetch(`${stack.gateway.opsUrl}/health`)).status).toBe(200);
  });

  it('when a service is asked for /metrics on its own port, then 404: only its ops listener serves them', async () => {
    expect((await fetch(`${stack.services.auth!.url}/metrics`)).status).toBe(404);
    expect((await fetch(`${stack.services.auth!.opsUrl}/metrics`)).status).toBe(200);
  });
});
