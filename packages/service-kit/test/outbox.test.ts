import { setTimeout as delay } from 'node:timers/promises';
import { authEvents } from '@chat/contracts';
import { OutboxRelay, type Platform, newId, recordEvent } from '@chat/service-kit';
import { type Isolation, createIsolation, waitFor } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestPlatform, streamMessages } from './helpers.js';

const APP = '00000000-0000-7000-8000-000000000001';

function revokedEvent() {
  return { userId: newId(), sessionId: newId(), reason: 'test' };
}

async function writeItemWithEvent(p: Platform, data = revokedEvent()) {
  return p.tx(async (t) => {
    await t.none('INSERT INTO items (id, name) VALUES ($1, $2)', [newId(), 'x']);
    return recordEvent(t, authEvents.sessionRevoked, APP, data);
  });
}

async function outboxSize(p: Platform): Promise<number> {
  return (await p.db.one<{ n: number }>('SELECT count(*)::int AS n FROM outbox')).n;
}

describe('transactional outbox', () => {
  let isolation: Isolation;
  beforeAll(() => {
    isolation = createIsolation();
  });
  afterAll(() => isolation.cleanup());

  it('when a transaction commits, then its event is published with Nats-Msg-Id = event id and the outbox is emptied', async () => {
    const p = await openTestPlatform(isolation);
    try {
      const before = (await streamMessages(p)).length;
      const event = await writeItemWithEvent(p);
      const msgs = await waitFor(async () => {
        const all = await streamMessages(p);
        return all.length > before ? all : undefined;
      });
      const last = msgs.at(-1)!;
      expect(last.subject).toBe(`${isolation.env.NATS_PREFIX}evt.auth.session.revoked`);
      expect(last.headers?.get('Nats-Msg-Id')).toBe(event.id);
      expect(last.json()).toMatchObject({ id: event.id, type: 'auth.session.revoked', appId: APP, data: event.data });
      await waitFor(async () => ((await outboxSize(p)) === 0 ? true : undefined));
    } finally {
      await p.close();
    }
  });

  it('when a transaction rolls back, then neither the change nor its event exists', async () => {
    const p = await openTestPlatform(isolation);
    try {
      const before = (await streamMessages(p)).length;
      await expect(
        p.tx(async (t) => {
          await recordEvent(t, authEvents.sessionRevoked, APP, revokedEvent());
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      await p.outbox.drain();
      expect(await outboxSize(p)).toBe(0);
      expect((await streamMessages(p)).length).toBe(before);
    } finally {
      await p.close();
    }
  });

  it('when the process dies between commit and publish, then the next start publishes the event exactly once', async () => {
    const crashed = await openTestPlatform(isolation, { startRelay: false });
    const before = (await streamMessages(crashed)).length;
    const event = await writeItemWithEvent(crashed);
    expect(await outboxSize(crashed)).toBe(1);
    await crashed.close(); // the "crash": committed, never published

    const restarted = await openTestPlatform(isolation);
    try {
      const msgs = await waitFor(async () => {
        const all = await streamMessages(restarted);
        return all.length > before ? all : undefined;
      });
      expect(msgs.filter((m) => m.headers?.get('Nats-Msg-Id') === event.id)).toHaveLength(1);
      await waitFor(async () => ((await outboxSize(restarted)) === 0 ? true : undefined));
    } finally {
      await restarted.close();
    }
  });

  it('when the process dies after publish but before deleting the row, then the re-publish is de-duplicated', async () => {
    const p = await openTestPlatform(isolation, { startRelay: false });
    try {
      const before = (await streamMessages(p)).length;
      const event = await writeItemWithEvent(p);
      // Published once already (as by a relay that crashed before its delete).
      await p.bus.js.publish(`${p.bus.prefix}evt.${event.type}`, JSON.stringify(event), { msgID: event.id });
      expect(await p.outbox.drain()).toBe(1);
      const msgs = await streamMessages(p);
      expect(msgs.length).toBe(before + 1);
      expect(await outboxSize(p)).toBe(0);
    } finally {
      await p.close();
    }
  });

  it('when JetStream cannot store a claimed batch, then its rows stay in the outbox and go out on the next drain', async () => {
    const p = await openTestPlatform(isolation, { startRelay: false });
    try {
      const event = await writeItemWithEvent(p);
      await p.bus.jsm.streams.delete(p.bus.streamName);
      expect(await p.outbox.drain()).toBe(0);
      expect(await outboxSize(p)).toBe(1);
      // The failed drain created the stream again.
      expect(await p.outbox.drain()).toBe(1);
      expect(await outboxSize(p)).toBe(0);
      expect((await streamMessages(p)).map((m) => m.headers?.get('Nats-Msg-Id'))).toEqual([event.id]);
    } finally {
      await p.close();
    }
  });

  it('when a burst of commits is drained, then the events are stored in commit order', async () => {
    const p = await openTestPlatform(isolation, { startRelay: false });
    try {
      const before = (await streamMessages(p)).length;
      const written = [];
      for (let i = 0; i < 120; i++) written.push(await writeItemWithEvent(p));
      expect(await p.outbox.drain()).toBe(120);
      const ids = (await streamMessages(p)).slice(before).map((m) => m.headers?.get('Nats-Msg-Id'));
      expect(ids).toEqual(written.map((e) => e.id));
    } finally {
      await p.close();
    }
  });

  it('when the relay has deleted enough rows, then it vacuums the outbox (dead rows do not pile up, autovacuum or not)', async () => {
    const p = await openTestPlatform(isolation, { startRelay: false });
    try {
      const relay = new OutboxRelay(p.db, p.bus, p.logger, { vacuumAfterRows: 30, vacuumMinIntervalMs: 0 });
      const lastVacuum = async () =>
        (await p.db.one<{ at: Date | null }>("SELECT last_vacuum AS at FROM pg_stat_user_tables WHERE relid = 'outbox'::regclass")).at;
      expect(await lastVacuum()).toBeNull();
      for (let i = 0; i < 20; i++) await writeItemWithEvent(p);
      expect(await relay.drain()).toBe(20);
      expect(await lastVacuum()).toBeNull();
      for (let i = 0; i < 20; i++) await writeItemWithEvent(p);
      expect(await relay.drain()).toBe(20);
      await waitFor(async () => ((await lastVacuum()) ? true : undefined), 5000, 'outbox vacuumed');
      expect((await p.db.one<{ n: number }>("SELECT n_dead_tup::int AS n FROM pg_stat_user_tables WHERE relid = 'outbox'::regclass")).n).toBe(0);
    } finally {
      await p.close();
    }
  });

  it('when 50 transactions commit concurrently with random delays, then every event is published exactly once', async () => {
    const p = await openTestPlatform(isolation);
    try {
      const before = (await streamMessages(p)).length;
      const written = await Promise.all(
        Array.from({ length: 50 }, () =>
          p.tx(async (t) => {
            const e = await recordEvent(t, authEvents.sessionRevoked, APP, revokedEvent());
            await delay(Math.random() * 30);
            return e;
          }),
        ),
      );
      const msgs = await waitFor(async () => {
        const all = await streamMessages(p);
        return all.length >= before + 50 ? all : undefined;
      }, 10_000);
      const ids = msgs.slice(before).map((m) => m.headers?.get('Nats-Msg-Id'));
      expect(new Set(ids)).toEqual(new Set(written.map((e) => e.id)));
      expect(ids).toHaveLength(50);
      await waitFor(async () => ((await outboxSize(p)) === 0 ? true : undefined));
    } finally {
      await p.close();
    }
  });
});
