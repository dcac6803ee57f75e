import { defineRoute, z } from '@chat/contracts';
import { type AccessLogOptions, BaseConfig, ConfigError, accessLogOf, createHttpApp, createRouteMounter, listen, parseConfig } from '@chat/service-kit';
import { ApiClient } from '@chat/testkit';
import type { RequestHandler } from 'express';
import { describe, expect, it } from 'vitest';
import winston from 'winston';
import Transport from 'winston-transport';

type Line = Record<string, unknown>;

/** A logger that keeps its lines in memory (tests print nothing). */
function capturingLogger(level = 'info'): { logger: winston.Logger; lines: Line[] } {
  const lines: Line[] = [];
  class Capture extends Transport {
    override log(info: Line, next: () => void) {
      lines.push(info);
      next();
    }
  }
  return { logger: winston.createLogger({ level, transports: [new Capture()] }), lines };
}

const thingRoute = defineRoute({
  service: 'auth',
  method: 'get',
  path: '/things/:id',
  summary: 't',
  access: 'public',
  params: z.object({ id: z.string() }),
  status: 200,
  response: z.object({ id: z.string() }),
});
const crashRoute = defineRoute({ service: 'auth', method: 'get', path: '/crash', summary: 'c', access: 'public', status: 200 });
const asUser: RequestHandler = (_req, res, next) => {
  res.locals.userId = 'user-7';
  next();
};

async function serve(accessLog: AccessLogOptions | undefined, level = 'info') {
  const { logger, lines } = capturingLogger(level);
  const app = createHttpApp({
    service: 'kittest',
    logger,
    bodyLimit: '1kb',
    trustProxy: 'loopback',
    readiness: {},
    accessLog,
    routes: (app) => {
      const mount = createRouteMounter(app, { validateResponses: true });
      mount(thingRoute, async ({ params }) => ({ id: params.id }), asUser);
      mount(crashRoute, async () => {
        throw new Error('boom');
      });
    },
  });
  const server = await listen(app, 0, '127.0.0.1');
  return { api: new ApiClient(server.url), requests: () => lines.filter((l) => l.message === 'request'), close: () => server.close(100) };
}

describe('access log', () => {
  it('when a request finishes, then one info line names its method, route template, status, duration, request id and user', async () => {
    const s = await serve({ enabled: true, sample: 1 });
    try {
      const res = await s.api.get('/things/0190abcd-secret-id');
      expect(res.status).toBe(200);
      expect(s.requests()).toEqual([
        expect.objectContaining({
          level: 'info',
          method: 'GET',
          route: '/things/:id',
          status: 200,
          durationMs: expect.any(Number),
          requestId: res.headers.get('x-request-id'),
          userId: 'user-7',
        }),
      ]);
      expect(JSON.stringify(s.requests())).not.toContain('0190abcd-secret-id');
      await s.api.get('/nowhere/42');
      expect(s.requests()[1]).toMatchObject({ route: 'unmatched', status: 404 });
      expect(s.requests()[1]).not.toHaveProperty('userId');
    } finally {
      await s.close();
    }
  });

  it('when ACCESS_LOG is off, then no request line is written', async () => {
    const s = await serve({ enabled: false, sample: 1 });
    try {
      await s.api.get('/things/1');
      expect(s.requests()).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('when ACCESS_LOG_SAMPLE is 0, then successful requests are not logged but a 500 still is', async () => {
    const s = await serve({ enabled: true, sample: 0 });
    try {
      await s.api.get('/things/1');
      expect((await s.api.get('/crash')).status).toBe(500);
      expect(s.requests()).toEqual([expect.objectContaining({ route: '/crash', status: 500 })]);
    } finally {
      await s.close();
    }
  });

  it('when the log level is above info (tests run silent), then no request line is written', async () => {
    const s = await serve(undefined, 'warn');
    try {
      await s.api.get('/things/1');
      expect(s.requests()).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('when ACCESS_LOG and ACCESS_LOG_SAMPLE are unset, then every request is logged; a bad value stops the process with its key named', () => {
    const base = { PORT: '0' };
    expect(accessLogOf(parseConfig(BaseConfig, base))).toEqual({ enabled: true, sample: 1 });
    expect(accessLogOf(parseConfig(BaseConfig, { ...base, ACCESS_LOG: 'off', ACCESS_LOG_SAMPLE: '0.1' }))).toEqual({ enabled: false, sample: 0.1 });
    expect(() => parseConfig(BaseConfig, { ...base, ACCESS_LOG_SAMPLE: '1.5' })).toThrow(ConfigError);
    expect(() => parseConfig(BaseConfig, { ...base, ACCESS_LOG: 'yes' })).toThrow(/ACCESS_LOG/);
  });
});
