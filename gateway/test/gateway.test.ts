import { allRoutes } from '@chat/contracts';
import { boot as bootAuth } from '@chat/auth';
import { boot as bootGateway } from '@chat/gateway';
import { ApiClient, type Stack, registerUser, startService, startStack } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ gateway: bootGateway, services: { auth: bootAuth }, env: { CORS_ORIGINS: 'https://app.example' } });
});
afterAll(() => stack?.stop());

describe('gateway', () => {
  it('when /openapi.json is read, then it documents every route of the contract', async () => {
    const res = await stack.api.get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    for (const route of allRoutes) {
      const path = `/api/v1${route.path.replace(/:(\w+)/g, '{$1}')}`;
      expect(res.body.paths[path]?.[route.method], `${route.method} ${path}`).toBeDefined();
    }
    expect(res.body.paths['/api/v1/auth/register'].post.requestBody.content['application/json'].schema).toBeDefined();
  });

  it('when /asyncapi.json is read, then it describes the WebSocket protocol on /ws', async () => {
    const res = await stack.api.get('/asyncapi.json');
    expect(res.status).toBe(200);
    expect(res.body.asyncapi).toMatch(/^3\./);
    expect(res.body.channels.ws.address).toBe('/ws');
    expect(res.body.components.messages.messageSend.payload.properties.op.const).toBe('message.send');
    expect(res.body.operations.messageSend.action).toBe('send');
  });

  it('when /docs is opened, then Swagger UI is served', async () => {
    const res = await stack.api.get('/docs/');
    expect(res.status).toBe(200);
    expect(res.body).toContain('swagger-ui');
  });

  it('when /health is read, then it reports each service that owns routes, and realtime', async () => {
    const res = await stack.api.get('/health');
    expect(res.status).toBe(200);
    expect(res.body.services.auth).toMatchObject({ status: 'up', latencyMs: expect.any(Number) });
    const owners = new Set([...allRoutes.map((r) => r.service), 'realtime']);
    expect(Object.keys(res.body.services).sort()).toEqual([...owners].sort());
    // Only auth runs in this stack: the others are reported down (never a system running on
    // their default ports), so the report is degraded.
    for (const name of owners) if (name !== 'auth') expect(res.body.services[name].status, name).toBe('down');
    expect(res.body.status).toBe('degraded');
  });

  it('when a path is not in the contract, then 404 problem+json without reaching a service', async () => {
    const res = await stack.api.get('/api/v1/auth/nothing-here');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    expect(res.body.code).toBe('not_found');
  });

  it('when a protected route is called without a valid token, then the gateway answers 401', async () => {
    for (const token of [undefined, 'garbage', 'a.b.c']) {
      const res = await stack.api.get('/api/v1/auth/me', token ? { token } : {});
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('unauthorized');
    }
  });

  it('when a service answers with problem+json, then it passes through unchanged', async () => {
    const direct = await new ApiClient(stack.services.auth!.url).post('/auth/register', { username: 'x' });
    const viaGateway = await stack.api.post('/api/v1/auth/register', { username: 'x' });
    expect(viaGateway.status).toBe(400);
    expect(viaGateway.headers.get('content-type')).toMatch(/problem\+json/);
    const { requestId: _a, ...a } = direct.body;
    const { requestId: _b, ...b } = viaGateway.body;
    expect(b).toEqual(a);
  });

  it('when the caller sends a request id, then it travels to the service and back', async () => {
    const res = await stack.api.post('/api/v1/auth/login', { identifier: 'nobody', password: 'x' }, { headers: { 'x-request-id': 'req-abc-1' } });
    expect(res.headers.get('x-request-id')).toBe('req-abc-1');
    expect(res.body.requestId).toBe('req-abc-1');
  });

  it('when a browser from an allowed origin asks, then CORS allows it; another origin gets no allowance', async () => {
    const ok = await stack.api.request('OPTIONS', '/api/v1/auth/login', {
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
    });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example');
    const other = await stack.api.request('OPTIONS', '/api/v1/auth/login', {
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('when a user calls through the gateway, then RateLimit headers describe their budget', async () => {
    const u = await registerUser(stack.api);
    const res = await stack.api.get('/api/v1/auth/me', { token: u.accessToken });
    expect(res.status).toBe(200);
    expect(res.headers.get('ratelimit-policy')).toMatch(/q=600/);
    expect(res.headers.get('ratelimit')).toMatch(/"gw-user"; r=\d+; t=\d+/);
  });

  it('when the JWKS is fetched through the gateway, then it holds the public key only', async () => {
    const res = await stack.api.get('/.well-known/jwks.json');
    expect(res.status).toBe(200);
    expect(res.body.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(res.body.keys[0].d).toBeUndefined();
  });
});

describe('gateway with a service down', () => {
  it('when the owning service is unreachable, then 503 problem+json quickly, never a hang', async () => {
    const gw = await startService(bootGateway, { ...stack.env, AUTH_URL: 'http://127.0.0.1:9' });
    try {
      const api = new ApiClient(gw.url);
      const started = Date.now();
      const res = await api.post('/api/v1/auth/login', { identifier: 'a', password: 'b' });
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
      expect(res.body.code).toBe('service_unavailable');
      expect(Date.now() - started).toBeLessThan(3000);
      const health = await api.get('/health');
      expect(health.body).toMatchObject({ status: 'degraded', services: { auth: { status: 'down' } } });
    } finally {
      await gw.stop();
    }
  });
});

describe('gateway body cap', () => {
  it('when a declared body is over the cap, then 413 from the gateway without reaching the service', async () => {
    // The service behind this gateway is unreachable: a 413 can only come from the gateway itself.
    const gw = await startService(bootGateway, { ...stack.env, AUTH_URL: 'http://127.0.0.1:9', MAX_BODY_BYTES: '2048' });
    try {
      const api = new ApiClient(gw.url);
      const big = await api.post('/api/v1/auth/login', { identifier: 'a', password: 'x'.repeat(4096) });
      expect(big.status).toBe(413);
      expect(big.body.code).toBe('payload_too_large');
      const small = await api.post('/api/v1/auth/login', { identifier: 'a', password: 'b' });
      expect(small.status).toBe(503);
    } finally {
      await gw.stop();
    }
  });
});
