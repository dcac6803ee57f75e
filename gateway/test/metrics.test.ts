import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { boot as bootGateway } from '@chat/gateway';
import { type Stack, startStack } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Stands in for the auth service: registration fails with 500, login never answers, refresh
 * answers 401. Media is not run at all (unreachable).
 */
function fakeAuth(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    if (req.url === '/auth/register') {
      res.writeHead(500, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ status: 500, code: 'internal' }));
    } else if (req.url === '/auth/refresh') {
      res.writeHead(401, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ status: 401, code: 'unauthorized' }));
    }
    // Anything else is left without an answer.
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server })));
}

let stack: Stack;
let auth: { url: string; server: Server };
beforeAll(async () => {
  auth = await fakeAuth();
  stack = await startStack({ gateway: bootGateway, services: {}, env: { AUTH_URL: auth.url, PROXY_TIMEOUT_MS: '300', RATE_LIMIT_REFRESH_PER_MINUTE: '1' } });
});
afterAll(async () => {
  await stack?.stop();
  auth?.server.closeAllConnections();
  auth?.server.close();
});

async function metrics(): Promise<string> {
  return (await fetch(`${stack.gateway.opsUrl}/metrics`)).text();
}

function value(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.includes(w)));
  return line ? Number(line.split(' ').at(-1)) : undefined;
}

describe('gateway metrics', () => {
  it('when a service is unreachable, silent past the proxy timeout, or answers 5xx, then gateway_upstream_errors_total counts each kind by upstream', async () => {
    expect((await stack.api.get(`/api/v1/media/${crypto.randomUUID()}/content?exp=1&sig=x`)).status).toBe(503);
    expect((await stack.api.post('/api/v1/auth/login', { identifier: 'a', password: 'b' })).status).toBe(504);
    expect((await stack.api.post('/api/v1/auth/register', { username: 'someone', password: 'long enough password' })).status).toBe(500);

    const text = await metrics();
    const errors = (upstream: string, kind: string) => value(text, 'gateway_upstream_errors_total', { service: 'gateway', upstream, kind });
    expect(errors('media', 'unreachable')).toBe(1);
    expect(errors('auth', 'timeout')).toBe(1);
    expect(errors('auth', '5xx')).toBe(1);
    expect(errors('auth', 'unreachable')).toBeUndefined();
  });

  it('when a route limit refuses a request, then rate_limit_refusals_total counts it under the rule name', async () => {
    expect((await stack.api.post('/api/v1/auth/refresh', { refreshToken: 'x'.repeat(43) })).status).toBe(401);
    expect((await stack.api.post('/api/v1/auth/refresh', { refreshToken: 'x'.repeat(43) })).status).toBe(429);
    expect(value(await metrics(), 'rate_limit_refusals_total', { service: 'gateway', limit: 'refresh' })).toBe(1);
  });
});
