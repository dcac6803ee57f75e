// Outbox throughput: concurrent writers commit a change with its event; measures commits/s and the
// delay from commit to the event reaching a subscriber through JetStream.
import { authEvents } from '@chat/contracts';
import { BaseConfig, newId, openPlatform, parseConfig, recordEvent } from '@chat/service-kit';
import { createIsolation } from '@chat/testkit';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TOTAL = Number(process.env.OUTBOX_EVENTS ?? 5000);
const WRITERS = Number(process.env.OUTBOX_WRITERS ?? 16);
const APP = '00000000-0000-7000-8000-000000000001';

const isolation = createIsolation();
const migrations = mkdtempSync(join(tmpdir(), 'bench-migrations-'));
writeFileSync(join(migrations, '0001_items.sql'), 'CREATE TABLE items (id uuid PRIMARY KEY);');
const config = parseConfig(BaseConfig, { ...isolation.env, DB_POOL_SIZE: String(WRITERS + 2) });
const platform = await openPlatform({ service: 'benchoutbox', config, migrationsDir: migrations });

const committedAt = new Map<string, number>();
const latencies: number[] = [];
const allReceived = new Promise<void>((resolve) => {
  platform.bus.nc.subscribe(`${config.NATS_PREFIX}evt.auth.session.revoked`, {
    callback: (_err, msg) => {
      const id = msg.json<{ id: string }>().id;
      const t0 = committedAt.get(id);
      if (t0 !== undefined) latencies.push(performance.now() - t0);
      if (latencies.length === TOTAL) resolve();
    },
  });
});

const started = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: WRITERS }, async () => {
    while (next < TOTAL) {
      next++;
      const event = await platform.tx(async (t) => {
        await t.none('INSERT INTO items (id) VALUES ($1)', [newId()]);
        return recordEvent(t, authEvents.sessionRevoked, APP, { userId: newId(), sessionId: newId(), reason: 'bench' });
      });
      committedAt.set(event.id, performance.now());
    }
  }),
);
const committedMs = performance.now() - started;
await allReceived;
const drainedMs = performance.now() - started;
latencies.sort((a, b) => a - b);
const pct = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]! * 10) / 10;
process.stdout.write(
  JSON.stringify({
    events: TOTAL,
    writers: WRITERS,
    commitsPerSecond: Math.round(TOTAL / (committedMs / 1000)),
    publishedPerSecond: Math.round(TOTAL / (drainedMs / 1000)),
    commitToSubscriberMs: { p50: pct(50), p95: pct(95), p99: pct(99), max: pct(100) },
  }) + '\n',
);
await platform.close();
await isolation.cleanup();
