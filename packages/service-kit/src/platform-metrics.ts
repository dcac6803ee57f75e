import { Gauge, type Registry } from 'prom-client';
import type { Db } from './db/database.js';
import { cachedSampler } from './metrics.js';

/** Shared by the two outbox gauges of one scrape; a stalled database gives the last values. */
const OUTBOX_SAMPLE = { ttlMs: 250, timeoutMs: 1000 };

/**
 * `db_pool_connections{state}` (in_use, idle, waiting: node-postgres' own counts) and the outbox's
 * `outbox_backlog` and `outbox_oldest_age_seconds` (0 when empty), read when scraped. The age is
 * the oldest row by `seq` (the primary key: one index probe); the count is the relay's table, which
 * it keeps a few pages small while NATS takes events.
 */
export function registerPlatformMetrics(registry: Registry, db: Db): void {
  const pool = db.$pool;
  new Gauge({
    name: 'db_pool_connections',
    help: 'PostgreSQL pool connections, by state (waiting: requests queued for a connection)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.set({ state: 'in_use' }, pool.totalCount - pool.idleCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'waiting' }, pool.waitingCount);
    },
  });
  const outbox = cachedSampler(
    () =>
      db.one<{ backlog: number; age: number }>(
        `SELECT (SELECT count(*) FROM outbox)::int AS backlog,
                COALESCE((SELECT EXTRACT(EPOCH FROM clock_timestamp() - created_at) FROM outbox ORDER BY seq LIMIT 1), 0)::float8 AS age`,
      ),
    OUTBOX_SAMPLE,
  );
  new Gauge({
    name: 'outbox_backlog',
    help: 'Events in the outbox waiting for the relay to publish them',
    registers: [registry],
    async collect() {
      const sample = await outbox();
      if (sample) this.set(sample.backlog);
    },
  });
  new Gauge({
    name: 'outbox_oldest_age_seconds',
    help: 'Age of the oldest event waiting in the outbox (0 when empty)',
    registers: [registry],
    async collect() {
      const sample = await outbox();
      if (sample) this.set(Math.max(0, sample.age));
    },
  });
}
