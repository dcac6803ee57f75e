import { boot as bootAuth } from '@chat/auth';
import { boot as bootGateway } from '@chat/gateway';
import { type Stack, startStack } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ gateway: bootGateway, services: { auth: bootAuth }, env: { RATE_LIMIT_REGISTER_PER_HOUR: '2' } });
});
afterAll(() => stack?.stop());

let n = 0;
const register = (headers: Record<string, string>) =>
  stack.api.post('/api/v1/auth/register', { username: `spoof_${n++}_${stack.isolation.id}`, password: 'long enough password' }, { headers });

describe('client addresses the caller claims', () => {
  it('when each request claims another address (X-Forwarded-For, Forwarded, X-Real-IP, True-Client-IP), then the limit still counts the real peer', async () => {
    const claims: Record<string, string>[] = [
      { 'x-forwarded-for': '203.0.113.1' },
      { forwarded: 'for=203.0.113.2;proto=https' },
      { 'x-real-ip': '203.0.113.3' },
      { 'true-client-ip': '203.0.113.4', 'x-forwarded-for': '203.0.113.5, 198.51.100.7' },
    ];
    expect((await register(claims[0]!)).status).toBe(201);
    expect((await register(claims[1]!)).status).toBe(201);
    for (const headers of claims) {
      const res = await register(headers);
      expect(res.status, JSON.stringify(headers)).toBe(429);
      expect(res.body.code).toBe('rate_limited');
    }
  });
});
