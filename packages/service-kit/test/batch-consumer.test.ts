import { type EventEnvelope, authEvents } from '@chat/contracts';
import { type Platform, consumeEventFamilyBatched, newId } from '@chat/service-kit';
import { type Isolation, createIsolation, waitFor } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestPlatform } from './helpers.js';

const APP = '00000000-0000-7000-8000-000000000001';

const revoked = (reason: string) => ({
  id: newId(),
  type: authEvents.sessionRevoked.type,
  occurredAt: new Date().toISOString(),
  appId: APP,
  data: { userId: newId(), sessionId: newId(), reason },
});

describe('batched event family consumer', () => {
  let isolation: Isolation;
  let p: Platform;
  beforeAll(async () => {
    isolation = createIsolation();
    p = await openTestPlatform(isolation);
  });
  afterAll(async () => {
    await p?.close();
    await isolation.cleanup();
  });

  const publish = (subject: string, body: unknown) => p.bus.js.publish(`${p.bus.prefix}${subject}`, JSON.stringify(body), { msgID: newId() });

  it('when events pile up, then they are handled in stream order in batches; invalid ones terminated, other types acked, a failed batch retried whole', async () => {
    const batches: string[][] = [];
    let failuresLeft = 1;
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const handleBatch = async (events: EventEnvelope[]) => {
      const reasons = events.map((e) => (e.data as { reason: string }).reason);
      if (reasons[0] === 'first') await gate;
      if (reasons.includes('flaky') && failuresLeft-- > 0) throw new Error('transient');
      batches.push(reasons);
    };
    await publish('evt.auth.session.revoked', revoked('first'));
    const consumer = await consumeEventFamilyBatched(p.bus, { durable: 'kittest-batched', filter: 'auth.>', events: [authEvents.sessionRevoked], handleBatch });
    try {
      await waitFor(async () => ((await p.bus.jsm.consumers.info(p.bus.streamName, 'kittest-batched')).num_ack_pending === 1 ? true : undefined));
      // While the first batch is held, more arrive: an invalid one, another type, and four in order.
      await publish('evt.auth.session.revoked', { nonsense: true });
      await publish('evt.auth.user.email_verified', {
        id: newId(),
        type: 'auth.user.email_verified',
        occurredAt: new Date().toISOString(),
        appId: APP,
        data: { userId: newId(), email: 'a@b.c' },
      });
      for (const reason of ['a', 'flaky', 'b', 'c']) await publish('evt.auth.session.revoked', revoked(reason));
      await waitFor(async () => ((await p.bus.jsm.consumers.info(p.bus.streamName, 'kittest-batched')).num_pending === 0 ? true : undefined));
      release();
      await waitFor(() => (batches.flat().length === 5 ? true : undefined), 10_000, 'every event handled');
      expect(batches).toEqual([['first'], ['a', 'flaky', 'b', 'c']]);
      const info = await waitFor(async () => {
        const i = await p.bus.jsm.consumers.info(p.bus.streamName, 'kittest-batched');
        return i.num_ack_pending === 0 && i.num_pending === 0 ? i : undefined;
      });
      expect(info.delivered.stream_seq).toBe(7);
    } finally {
      await consumer.stop();
    }
  });

  it('when events keep coming and batches have a least interval, then they are handled in few batches, in order, none lost', async () => {
    const batches: { at: number; reasons: string[] }[] = [];
    const consumer = await consumeEventFamilyBatched(p.bus, {
      durable: 'kittest-paced',
      filter: 'auth.session.>',
      events: [authEvents.sessionRevoked],
      minIntervalMs: 300,
      handleBatch: async (events) => {
        batches.push({ at: performance.now(), reasons: events.map((e) => (e.data as { reason: string }).reason) });
      },
    });
    try {
      const sent: string[] = [];
      for (let i = 0; i < 60; i++) {
        sent.push(`paced-${i}`);
        await publish('evt.auth.session.revoked', revoked(`paced-${i}`));
        await new Promise((r) => setTimeout(r, 10));
      }
      await waitFor(() => (batches.flatMap((b) => b.reasons).filter((r) => r.startsWith('paced-')).length === 60 ? true : undefined), 10_000);
      expect(batches.flatMap((b) => b.reasons).filter((r) => r.startsWith('paced-'))).toEqual(sent);
      // Never two batches within the interval, so far fewer batches than events.
      expect(batches.length).toBeLessThan(20);
      for (let i = 1; i < batches.length; i++) expect(batches[i]!.at - batches[i - 1]!.at).toBeGreaterThanOrEqual(295);
    } finally {
      await consumer.stop();
    }
  });
});
