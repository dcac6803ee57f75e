import { EventEnvelope, type EventDef } from '@chat/contracts';
import type { JsMsg } from '@nats-io/jetstream';
import type { Bus } from './bus.js';
import type { RunningConsumer } from './consumer.js';
import { openDurable } from './durable.js';

export interface BatchedFamilyOptions {
  /** Durable name `<service>-<purpose>`. */
  durable: string;
  /** Subject filter below `evt.`, e.g. `message.>`. */
  filter: string;
  /** Event types handled; others are acked unseen. */
  events: EventDef[];
  /**
   * Applies events in stream order, all or nothing (typically one transaction). Every event of the
   * batch is acked once it resolves; when it keeps failing, all are nak'ed for redelivery.
   */
  handleBatch: (events: EventEnvelope[]) => Promise<void>;
  /** Most events in one batch. */
  maxBatch?: number;
  /**
   * Least time between the starts of two batches: under load, what arrives meanwhile joins the
   * next batch (fewer, larger transactions for a projection that may lag a little).
   */
  minIntervalMs?: number;
  maxDeliver?: number;
}

const IN_PROCESS_RETRIES = 3;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Like `consumeEventFamily` (one durable consumer, stream order, idempotent handling expected), but
 * whatever has arrived while a batch was being applied forms the next batch: one transaction and
 * one commit for many events under load, no added wait when traffic is light.
 */
export async function consumeEventFamilyBatched(bus: Bus, opts: BatchedFamilyOptions): Promise<RunningConsumer> {
  const maxBatch = opts.maxBatch ?? 500;
  const byType = new Map(opts.events.map((e) => [e.type, e]));
  const messages = await openDurable(
    bus,
    { durable: opts.durable, filter: `evt.${opts.filter}`, maxDeliver: opts.maxDeliver, maxAckPending: maxBatch * 4 },
    maxBatch * 2,
  );

  const queue: JsMsg[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  const reader = (async () => {
    for await (const msg of messages) {
      queue.push(msg);
      wake?.();
    }
  })().finally(() => {
    ended = true;
    wake?.();
  });

  /** Parses and routes; invalid events are terminated, unhandled types acked. */
  const accept = (msg: JsMsg): EventEnvelope | undefined => {
    let raw: unknown;
    try {
      raw = msg.json();
    } catch {
      raw = undefined;
    }
    const envelope = EventEnvelope.safeParse(raw);
    const def = envelope.success ? byType.get(envelope.data.type) : undefined;
    if (envelope.success && !def) {
      msg.ack();
      return undefined;
    }
    const data = envelope.success && def ? def.data.safeParse(envelope.data.data) : undefined;
    if (!envelope.success || !data?.success) {
      bus.logger.error('invalid event terminated', { subject: msg.subject, seq: msg.seq });
      msg.term();
      return undefined;
    }
    return { ...envelope.data, data: data.data };
  };

  const apply = async (batch: JsMsg[]) => {
    const accepted = batch.map((msg) => ({ msg, event: accept(msg) })).filter((x): x is { msg: JsMsg; event: EventEnvelope } => x.event !== undefined);
    if (accepted.length === 0) return;
    for (let attempt = 1; ; attempt++) {
      try {
        await opts.handleBatch(accepted.map((x) => x.event));
        for (const x of accepted) x.msg.ack();
        return;
      } catch (err) {
        bus.logger.warn('event batch failed', { durable: opts.durable, size: accepted.length, attempt, err: err instanceof Error ? err.message : String(err) });
        if (attempt >= IN_PROCESS_RETRIES) {
          for (const x of accepted) x.msg.nak(Math.min(30_000, 1000 * 2 ** Math.min(x.msg.info.deliveryCount, 5)));
          return;
        }
        await sleep(100 * 2 ** attempt);
      }
    }
  };

  const minIntervalMs = opts.minIntervalMs ?? 0;
  let lastStart = -Infinity;
  const loop = (async () => {
    while (!ended || queue.length > 0) {
      if (queue.length === 0) {
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
        continue;
      }
      // Timers run on the event loop's clock, which may lag: wait until the interval has truly passed.
      for (let wait = lastStart + minIntervalMs - performance.now(); wait > 0 && !ended; wait = lastStart + minIntervalMs - performance.now())
        await sleep(wait);
      lastStart = performance.now();
      await apply(queue.splice(0, maxBatch));
    }
  })();

  return {
    async stop() {
      await messages.close();
      await reader.catch(() => {});
      await loop.catch(() => {});
    },
  };
}
