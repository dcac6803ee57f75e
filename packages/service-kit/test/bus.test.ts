import { authEvents, z } from '@chat/contracts';
import {
  AppError,
  ConflictError,
  JsonText,
  type Platform,
  RPC_BATCH_MAX,
  RateLimitedError,
  RpcBatcher,
  batchSubject,
  callRpc,
  callRpcForJson,
  consumeEvents,
  currentRequestId,
  newId,
  recordEvent,
  serveRpc,
  serveRpcBatch,
  withRequestContext,
} from '@chat/service-kit';
import { type Isolation, createIsolation, waitFor } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestPlatform } from './helpers.js';

const echo = { subject: 'rpc.kittest.echo', request: z.object({ text: z.string() }), response: z.object({ text: z.string() }) };
const APP = '00000000-0000-7000-8000-000000000001';

describe('rpc and event consumers', () => {
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

  it('when an rpc handler answers, then the caller gets the typed reply', async () => {
    const sub = serveRpc(p.bus, echo, async ({ text }) => ({ text: text.toUpperCase() }));
    try {
      expect(await callRpc(p.bus, echo, { text: 'hi' })).toEqual({ text: 'HI' });
    } finally {
      sub.unsubscribe();
    }
  });

  it('when an rpc handler throws an AppError, then the caller gets the same error at once, not a timeout', async () => {
    const sub = serveRpc(p.bus, echo, async () => {
      throw new ConflictError('taken');
    });
    try {
      const started = Date.now();
      const err = await callRpc(p.bus, echo, { text: 'x' }, 5000).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect(err).toMatchObject({ status: 409, code: 'conflict', detail: 'taken' });
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      sub.unsubscribe();
    }
  });

  it('when an rpc handler refuses for load, then the caller gets rate_limited with the same retry delay', async () => {
    const sub = serveRpc(p.bus, echo, async () => {
      throw new RateLimitedError(2, 'busy');
    });
    try {
      const err = await callRpc(p.bus, echo, { text: 'x' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ status: 429, code: 'rate_limited', detail: 'busy', extra: { retryAfterS: 2 } });
    } finally {
      sub.unsubscribe();
    }
  });

  it('when an rpc handler crashes, then the caller gets a 500 without internals', async () => {
    const sub = serveRpc(p.bus, echo, async () => {
      throw new Error('secret internal detail');
    });
    try {
      const err = await callRpc(p.bus, echo, { text: 'x' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ status: 500, code: 'internal', detail: 'internal error' });
    } finally {
      sub.unsubscribe();
    }
  });

  it('when an rpc request breaks the contract, then the handler is not called and the caller gets 400', async () => {
    let called = false;
    const sub = serveRpc(p.bus, echo, async (r) => {
      called = true;
      return r;
    });
    try {
      const err = await callRpc(p.bus, echo, { text: 42 } as never).catch((e: unknown) => e);
      expect(err).toMatchObject({ status: 400, code: 'validation_failed' });
      expect(called).toBe(false);
    } finally {
      sub.unsubscribe();
    }
  });

  it('when 500 calls are in flight at once, then each caller gets the answer to its own request', async () => {
    const sub = serveRpc(p.bus, echo, async ({ text }) => {
      await new Promise((r) => setTimeout(r, Math.random() * 20));
      return { text: `re:${text}` };
    });
    try {
      const answers = await Promise.all(Array.from({ length: 500 }, (_, i) => callRpc(p.bus, echo, { text: String(i) })));
      expect(answers.map((a) => a.text)).toEqual(Array.from({ length: 500 }, (_, i) => `re:${i}`));
    } finally {
      sub.unsubscribe();
    }
  });

  it('when a caller asks for the reply as JSON text, then it gets the data exactly as serialised, and errors as AppErrors', async () => {
    const sub = serveRpc(p.bus, echo, async ({ text }) => {
      if (text === 'fail') throw new RateLimitedError(3, 'busy');
      return { text: `"quoted" ${text} é` };
    });
    try {
      const json = await callRpcForJson(p.bus, echo, { text: 'x' });
      expect(json).toBe(JSON.stringify({ text: '"quoted" x é' }));
      await expect(callRpcForJson(p.bus, echo, { text: 'fail' })).rejects.toMatchObject({ status: 429, code: 'rate_limited', extra: { retryAfterS: 3 } });
      await expect(callRpcForJson(p.bus, echo, { text: 7 } as never)).rejects.toMatchObject({ status: 400, code: 'validation_failed' });
    } finally {
      sub.unsubscribe();
    }
  });

  it('when a handler answers with JSON already serialised, then callers get exactly that data', async () => {
    const sub = serveRpc(p.bus, echo, async ({ text }) => new JsonText(JSON.stringify({ text: `raw ${text}` })));
    try {
      expect(await callRpc(p.bus, echo, { text: 'a' })).toEqual({ text: 'raw a' });
      expect(await callRpcForJson(p.bus, echo, { text: 'b' })).toBe('{"text":"raw b"}');
    } finally {
      sub.unsubscribe();
    }
  });

  it('when a call runs inside a request, then the handler runs under the same request id', async () => {
    const seen: (string | undefined)[] = [];
    const sub = serveRpc(p.bus, echo, async (r) => {
      seen.push(currentRequestId());
      return r;
    });
    try {
      await withRequestContext({ requestId: 'req-abc.123' }, () => callRpc(p.bus, echo, { text: 'x' }));
      await callRpc(p.bus, echo, { text: 'y' });
      expect(seen[0]).toBe('req-abc.123');
      expect(seen[1]).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      sub.unsubscribe();
    }
  });

  it('when calls are batched, then the calls of one moment travel together and each gets its own answer or error', async () => {
    const subs = [
      serveRpc(p.bus, echo, async ({ text }) => ({ text })),
      serveRpcBatch(p.bus, echo, async ({ text }) => {
        if (text === 'fail') throw new RateLimitedError(2, 'busy');
        if (text === 'crash') throw new Error('secret');
        return { text: `batched:${text}` };
      }),
    ];
    const seen: number[] = [];
    const spy = p.bus.nc.subscribe(`${p.bus.prefix}${batchSubject(echo)}`, {
      callback: (_e, m) => {
        seen.push((m.json() as unknown[]).length);
      },
    });
    await p.bus.nc.flush();
    try {
      const batcher = new RpcBatcher(p.bus, echo, 2000);
      const texts = Array.from({ length: RPC_BATCH_MAX + 6 }, (_, i) => (i === 3 ? 'fail' : i === 5 ? 'crash' : `m${i}`));
      const settled = await Promise.allSettled([...texts.map((text) => batcher.callForJson({ text })), batcher.callForJson({ text: 9 } as never)]);
      texts.forEach((text, i) => {
        const r = settled[i]!;
        if (text === 'fail') expect(r).toMatchObject({ status: 'rejected', reason: { status: 429, code: 'rate_limited', extra: { retryAfterS: 2 } } });
        else if (text === 'crash') expect(r).toMatchObject({ status: 'rejected', reason: { status: 500, code: 'internal', detail: 'internal error' } });
        else expect(r).toEqual({ status: 'fulfilled', value: JSON.stringify({ text: `batched:${text}` }) });
      });
      expect(settled.at(-1)).toMatchObject({ status: 'rejected', reason: { status: 400, code: 'validation_failed' } });
      // One full batch, then the rest together.
      await waitFor(() => (seen.length === 2 ? true : undefined));
      expect(seen).toEqual([RPC_BATCH_MAX, 7]);
    } finally {
      spy.unsubscribe();
      for (const sub of subs) sub.unsubscribe();
    }
  });

  it('when nobody serves the batched rpc, then every call of the batch gets 503', async () => {
    const batcher = new RpcBatcher(p.bus, { ...echo, subject: 'rpc.kittest.nobody' }, 2000);
    const settled = await Promise.allSettled([batcher.callForJson({ text: 'a' }), batcher.callForJson({ text: 'b' })]);
    for (const r of settled) expect(r).toMatchObject({ status: 'rejected', reason: { status: 503, code: 'service_unavailable' } });
  });

  it('when nobody serves an rpc, then the caller gets 503', async () => {
    await expect(callRpc(p.bus, { ...echo, subject: 'rpc.kittest.nobody' }, { text: 'x' })).rejects.toMatchObject({ status: 503, code: 'service_unavailable' });
  });

  it('when the handler is too slow, then the caller gets 504', async () => {
    const sub = serveRpc(p.bus, echo, () => new Promise(() => {}));
    try {
      await expect(callRpc(p.bus, echo, { text: 'x' }, 200)).rejects.toMatchObject({ status: 504, code: 'timeout' });
    } finally {
      sub.unsubscribe();
    }
  });

  it('when events arrive, then valid ones are handled and acked, invalid ones terminated, failed ones retried', async () => {
    const seen: string[] = [];
    let failuresLeft = 1;
    const consumer = await consumeEvents(p.bus, {
      durable: 'kittest-audit',
      event: authEvents.sessionRevoked,
      handler: async (e) => {
        if (e.data.reason === 'flaky' && failuresLeft-- > 0) throw new Error('transient');
        seen.push(e.data.reason);
      },
    });
    try {
      // Not a valid envelope: terminated, never handed to the handler.
      await p.bus.js.publish(`${p.bus.prefix}evt.auth.session.revoked`, JSON.stringify({ nonsense: true }), { msgID: newId() });
      await p.tx((t) => recordEvent(t, authEvents.sessionRevoked, APP, { userId: newId(), sessionId: newId(), reason: 'flaky' }));
      await p.tx((t) => recordEvent(t, authEvents.sessionRevoked, APP, { userId: newId(), sessionId: newId(), reason: 'plain' }));
      await waitFor(() => (seen.length === 2 ? true : undefined), 10_000, 'both events handled');
      expect(seen.sort()).toEqual(['flaky', 'plain']);
      const info = await waitFor(async () => {
        const i = await p.bus.jsm.consumers.info(p.bus.streamName, 'kittest-audit');
        return i.num_ack_pending === 0 && i.num_pending === 0 ? i : undefined;
      });
      expect(info.delivered.stream_seq).toBeGreaterThanOrEqual(3);
    } finally {
      await consumer.stop();
    }
  });
});
