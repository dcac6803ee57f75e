import fc from 'fast-check';
import { ClientOfflineError, TimeoutError as RedisTimeoutError } from 'redis';
import { defineRoute, z } from '@chat/contracts';
import {
  ForbiddenError,
  ValidationError,
  createHttpApp,
  isDependencyOutage,
  createLogger,
  createRouteMounter,
  listen,
  opsAppOf,
  parseInput,
} from '@chat/service-kit';
import { ApiClient } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const Body = z.strictObject({ name: z.string().min(1), tags: z.array(z.string()).max(3).optional(), nested: z.strictObject({ n: z.number() }).optional() });
const echoRoute = defineRoute({
  service: 'auth',
  method: 'post',
  path: '/echo',
  summary: 'echo',
  access: 'public',
  body: Body,
  status: 201,
  response: z.object({ name: z.string() }),
});
const driftRoute = defineRoute({
  service: 'auth',
  method: 'get',
  path: '/drift',
  summary: 'drift',
  access: 'public',
  status: 200,
  response: z.object({ n: z.number() }),
});
const forbiddenRoute = defineRoute({ service: 'auth', method: 'get', path: '/forbidden', summary: 'f', access: 'public', status: 200 });
const crashRoute = defineRoute({ service: 'auth', method: 'get', path: '/crash', summary: 'c', access: 'public', status: 200 });
const outageRoute = defineRoute({ service: 'auth', method: 'get', path: '/outage', summary: 'o', access: 'public', status: 200 });
const privateRoute = defineRoute({ service: 'auth', method: 'get', path: '/private', summary: 'p', access: 'user', status: 204 });

let api: ApiClient;
let ops: ApiClient;
let close: () => Promise<void>;
beforeAll(async () => {
  const app = createHttpApp({
    service: 'kittest',
    logger: createLogger('kittest', 'silent'),
    bodyLimit: '1kb',
    trustProxy: 'loopback',
    readiness: { good: async () => true, bad: async () => Promise.reject(new Error('down')) },
    routes: (app) => {
      const mount = createRouteMounter(app, {
        validateResponses: true,
        authenticate: async () => {
          throw new ForbiddenError('nope');
        },
      });
      mount(echoRoute, async ({ body }) => ({ name: body.name }));
      mount(driftRoute, async () => ({ n: 'not a number' }) as never);
      mount(forbiddenRoute, async () => {
        throw new ForbiddenError('not yours');
      });
      mount(crashRoute, async () => {
        throw new Error('db password is hunter2');
      });
      mount(outageRoute, async () => {
        // What pg raises while PostgreSQL restarts.
        throw Object.assign(new Error('the database system is starting up'), { code: '57P03' });
      });
      mount(privateRoute, async () => undefined);
    },
  });
  const server = await listen(app, 0, '127.0.0.1');
  const opsServer = await listen(opsAppOf(app)!, 0, '127.0.0.1');
  api = new ApiClient(server.url);
  ops = new ApiClient(opsServer.url);
  close = async () => {
    await server.close(100);
    await opsServer.close(100);
  };
});
afterAll(() => close?.());

function expectProblem(res: { status: number; headers: Headers; body: any }, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, code, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
}

describe('http app', () => {
  it('when the body is valid, then the handler runs and the route status is used', async () => {
    const res = await api.post('/echo', { name: 'a' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ name: 'a' });
  });

  it('when the body has an unknown field, then 400 validation_failed names its path', async () => {
    const res = await api.post('/echo', { name: 'a', nested: { n: 1, evil: true }, extra: 1 });
    expectProblem(res, 400, 'validation_failed');
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['extra', 'nested.evil']);
  });

  it('when the JSON is malformed, then 400 validation_failed', async () => {
    expectProblem(await api.request('POST', '/echo', { rawBody: '{"name": ' }), 400, 'validation_failed');
  });

  it('when the body is over the limit, then 413 payload_too_large', async () => {
    expectProblem(await api.post('/echo', { name: 'x'.repeat(2000) }), 413, 'payload_too_large');
  });

  it('when a body is not JSON, then 415 unsupported_media_type', async () => {
    expectProblem(await api.request('POST', '/echo', { rawBody: 'name=a', headers: { 'content-type': 'text/plain' } }), 415, 'unsupported_media_type');
  });

  it('when the route does not exist, then 404 problem', async () => {
    expectProblem(await api.get('/nowhere'), 404, 'not_found');
  });

  it('when a handler fails unexpectedly, then 500 with a request id and no internals', async () => {
    const res = await api.get('/crash', { headers: { 'x-request-id': 'trace-123' } });
    expectProblem(res, 500, 'internal');
    expect(JSON.stringify(res.body)).not.toContain('hunter2');
    expect(res.body.requestId).toBe('trace-123');
    expect(res.headers.get('x-request-id')).toBe('trace-123');
  });

  it('when a dependency cannot be reached, then 503 service_unavailable (retry), not a 500', async () => {
    expectProblem(await api.get('/outage'), 503, 'service_unavailable');
  });

  it('when the caller sends no or a hostile request id, then a fresh one is used', async () => {
    const res = await api.get('/forbidden', { headers: { 'x-request-id': 'bad id\twith <junk>' } });
    expectProblem(res, 403, 'forbidden');
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('when a response breaks its contract, then it is a 500, not a silent drift', async () => {
    expectProblem(await api.get('/drift'), 500, 'internal');
  });

  it('when a user route is called, then authentication runs before anything else', async () => {
    expectProblem(await api.get('/private'), 403, 'forbidden');
  });

  it('when /health, /ready and /metrics are read, then they report; /metrics only on the ops listener', async () => {
    expect((await api.get('/health')).body).toEqual({ status: 'ok', service: 'kittest' });
    expect((await ops.get('/health')).body).toEqual({ status: 'ok', service: 'kittest' });
    const ready = await api.get('/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks).toEqual({ good: 'ok', bad: 'down' });
    expect((await ops.get('/ready')).status).toBe(503);
    expect((await api.get('/metrics')).status).toBe(404);
    const metrics = await ops.get('/metrics');
    expect(metrics.body).toContain('http_request_duration_seconds_bucket');
    expect(metrics.body).toMatch(/route="\/echo",status="201"/);
    expect(metrics.body).toContain('process_cpu_user_seconds_total');
  });

  it('when arbitrary JSON is posted, then the answer is never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        const res = await api.post('/echo', value);
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
  });
});

describe('parseInput', () => {
  it('when given any value, then it returns the parsed value or throws a ValidationError with paths', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        try {
          parseInput(Body, value);
        } catch (err) {
          expect(err).toBeInstanceOf(ValidationError);
          for (const e of (err as ValidationError).extra.errors ?? []) expect(typeof e.path).toBe('string');
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('text guard', () => {
  it('when a body string holds a NUL character, then 400 names the field instead of a database error', async () => {
    const res = await api.post('/echo', { name: 'a\u0000b', tags: ['ok', 'x\u0000'] });
    expectProblem(res, 400, 'validation_failed');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['name', 'tags.1']);
  });

  it('when a body claims gzip but is not, then 400, never a 500', async () => {
    const res = await api.request('POST', '/echo', { rawBody: 'not gzip at all', headers: { 'content-encoding': 'gzip' } });
    expectProblem(res, 400, 'validation_failed');
  });
});

describe('dependency outages', () => {
  it('when an error comes from an unreachable PostgreSQL or Redis, then it is an outage; a bug is not', () => {
    const coded = (code: string) => Object.assign(new Error('x'), { code });
    for (const err of [
      coded('ECONNREFUSED'),
      coded('08006'),
      coded('57P01'),
      new Error('Connection terminated unexpectedly'),
      Object.assign(new Error('closed'), { name: 'ClientClosedError' }),
      new RedisTimeoutError(),
      new ClientOfflineError(),
    ]) {
      expect(isDependencyOutage(err), err.message).toBe(true);
    }
    for (const err of [new Error('boom'), coded('23505'), coded('42P01'), 'ECONNREFUSED', undefined]) expect(isDependencyOutage(err)).toBe(false);
  });
});
