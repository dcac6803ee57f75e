import { authEvents, z } from '@chat/contracts';
import { AppError, type Platform, callRpc, consumeEvents, createLimiter, newId, recordEvent, serveRpc } from '@chat/service-kit';
import { ApiClient, type Isolation, createIsolation, waitFor } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue, openTestPlatform, serveWithOps } from './helpers.js';

const APP = '00000000-0000-7000-8000-000000000001';
const echo = { subject: 'rpc.kittest.metrics-echo', request: z.object({ text: z.string() }), response: z.object({ text: z.string() }) };
const nobody = { subject: 'rpc.kittest.nobody-serves', request: z.object({}), response: z.object({}) };

const revoked = (reason = 'metrics') => ({ userId: newId(), sessionId: newId(), reason });

let isolation: Isolation;
beforeAll(() => {
  isolation = createIsolation();
});
afterAll(() => isolation.cleanup());

/** A platform with its ops listener, closed after `fn`. */
async function withPlatform(
  opts: Parameters<typeof openTestPlatform>[1],
  fn: (p: Platform, ops: Awaited<ReturnType<typeof serveWithOps>>) => Promise<void>,
  routes?: (p: Platform) => Parameters<typeof serveWithOps>[1],
) {
  const p = await openTestPlatform(isolation, opts);
  const ops = await serveWithOps(p, routes?.(p));
  try {
    await fn(p, ops);
  } finally {
    await ops.close();
    await p.close();
  }
}

describe('outbox metrics', () => {
  it('when events wait in the outbox with the relay stopped, then outbox_backlog counts them and outbox_oldest_age_seconds is above 0; once drained both are 0', async () => {
    await withPlatform({ startRelay: false }, async (p, ops) => {
      await p.tx((t) => recordEvent(t, authEvents.sessionRevoked, APP, revoked()));
      await p.tx((t) => recordEvent(t, authEvents.sessionRevoked, APP, revoked()));
      const text = await ops.metrics();
      expect(metricValue(text, 'outbox_backlog', { service: 'kittest' })).toBe(2);
      expect(metricValue(text, 'outbox_oldest_age_seconds', { service: 'kittest' })).toBeGreaterThan(0);

      expect(await p.outbox.drain()).toBe(2);
      await waitFor(async () => (metricValue(await ops.metrics(), 'outbox_backlog') === 0 ? true : undefined), 5000, 'an empty backlog');
      expect(metricValue(await ops.metrics(), 'outbox_oldest_age_seconds')).toBe(0);
    });
  });
});

describe('database pool metrics', () => {
  it('when every pooled connection is taken and a query waits, then db_pool_connections reports them in_use and waiting', async () => {
    await withPlatform({ startRelay: false, env: { DB_POOL_SIZE: '2' } }, async (p, ops) => {
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const holders = [p.db.task(() => held), p.db.task(() => held)];
      const queued = p.db.one('SELECT 1');
      try {
        await waitFor(() => (p.db.$pool.waitingCount > 0 ? true : undefined), 5000, 'a queued query');
        const text = await ops.metrics();
        expect(metricValue(text, 'db_pool_connections', { state: 'in_use' })).toBe(2);
        expect(metricValue(text, 'db_pool_connections', { state: 'idle' })).toBe(0);
        expect(metricValue(text, 'db_pool_connections', { state: 'waiting' })).toBeGreaterThanOrEqual(1);
      } finally {
        release();
        await Promise.all([...holders, queued]);
      }
      const idle = await ops.metrics();
      expect(metricValue(idle, 'db_pool_connections', { state: 'waiting' })).toBe(0);
    });
  });
});

describe('consumer metrics', () => {
  it('when a durable consumer has events it has not acked, then jetstream_consumer_pending{durable} is above 0', async () => {
    await withPlatform({}, async (p, ops) => {
      let release!: () => void;
      const blocked = new Promise<void>((r) => (release = r));
      let delivered!: () => void;
      const first = new Promise<void>((r) => (delivered = r));
      const consumer = await consumeEvents(p.bus, {
        durable: 'kittest-metrics',
        event: authEvents.sessionRevoked,
        handler: async () => {
          delivered();
          await blocked;
        },
      });
      try {
        for (let i = 0; i < 3; i++) await p.tx((t) => recordEvent(t, authEvents.sessionRevoked, APP, revoked()));
        await first;
        const pending = metricValue(await ops.metrics(), 'jetstream_consumer_pending', { service: 'kittest', durable: 'kittest-metrics' });
        // Other tests of this file share the stream: the new durable sees their events too.
        expect(pending).toBeGreaterThan(0);
      } finally {
        release();
        await consumer.stop();
      }
    });
  });
});

describe('rpc caller metrics', () => {
  it('when the service calls rpcs, then rpc_request_duration_seconds counts each by its subject (no deployment prefix) and outcome', async () => {
    await withPlatform({ startRelay: false }, async (p, ops) => {
      expect(p.bus.prefix).not.toBe('');
      const sub = serveRpc(p.bus, echo, async ({ text }) => {
        if (text === 'fail') throw new AppError(409, 'conflict', 'no');
        if (text === 'slow') await new Promise((r) => setTimeout(r, 300));
        return { text };
      });
      try {
        await callRpc(p.bus, echo, { text: 'a' });
        await callRpc(p.bus, echo, { text: 'b' });
        await expect(callRpc(p.bus, echo, { text: 'fail' })).rejects.toMatchObject({ status: 409 });
        await expect(callRpc(p.bus, echo, { text: 'slow' }, 50)).rejects.toMatchObject({ status: 504 });
        await expect(callRpc(p.bus, nobody, {})).rejects.toMatchObject({ status: 503 });
        const text = await ops.metrics();
        const count = (subject: string, outcome: string) => metricValue(text, 'rpc_request_duration_seconds_count', { service: 'kittest', subject, outcome });
        expect(count(echo.subject, 'ok')).toBe(2);
        expect(count(echo.subject, 'error')).toBe(1);
        expect(count(echo.subject, 'timeout')).toBe(1);
        expect(count(nobody.subject, 'unavailable')).toBe(1);
        expect(text).not.toContain(`subject="${p.bus.prefix}`);
      } finally {
        sub.unsubscribe();
      }
    });
  });
});

describe('rate limit metrics', () => {
  it('when a limiter refuses a request, then rate_limit_refusals_total counts it under the rule name', async () => {
    await withPlatform(
      { startRelay: false },
      async (_p, ops) => {
        const api = new ApiClient(ops.url);
        expect((await api.get('/limited')).status).toBe(204);
        expect((await api.get('/limited')).status).toBe(429);
        expect((await api.get('/limited')).status).toBe(429);
        expect(metricValue(await ops.metrics(), 'rate_limit_refusals_total', { service: 'kittest', limit: 'burst' })).toBe(2);
      },
      (p) => (app) => {
        const limiter = createLimiter(p.redis, p.keys, { name: 'kittest-burst', label: 'burst', rule: { limit: 1, windowMs: 60_000 } });
        app.get('/limited', limiter, (_req, res) => {
          res.status(204).end();
        });
      },
    );
  });
});
