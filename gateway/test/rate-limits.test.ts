import { boot as bootAuth } from '@chat/auth';
import { boot as bootGateway } from '@chat/gateway';
import { type Stack, startStack } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ gateway: bootGateway, services: { auth: bootAuth }, env: { RATE_LIMIT_REGISTER_PER_HOUR: '3' } });
});
afterAll(() => stack?.stop());

const register = (i: number, headers: Record<string, string> = {}) =>
  stack.api.post('/api/v1/auth/register', { username: `ratelimited_${i}_${stack.isolation.id}`, password: 'long enough password' }, { headers });

describe('gateway rate limits', () => {
  it('when one IP registers past its hourly budget, then 429 rate_limited with Retry-After, even with a forged X-Forwarded-For', async () => {
    for (let i = 0; i < 3; i++) expect((await register(i)).status).toBe(201);
    const limited = await register(3, { 'x-forwarded-for': '203.0.113.9' });
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('rate_limited');
    expect(limited.headers.get('content-type')).toMatch(/problem\+json/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('ratelimit')).toMatch(/"gw-register"; r=0; t=\d+/);
  });
});
