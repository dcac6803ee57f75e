import { Counter, Gauge, type Registry } from 'prom-client';
import type { RefusalReason } from './domain/send-admission.js';

/** What the gauges read when scraped. */
export interface SendQueueView {
  readonly waiting: number;
  readonly recentWaitMs: number;
  /** Group-commit transactions run so far, and the sends they carried. */
  readonly transactions: number;
  readonly sendsWritten: number;
}

/** A counter that reads a running total kept elsewhere (a plain field on the hot path) when scraped. */
function totalCounter(name: string, help: string, read: () => number): Counter {
  let reported = 0;
  return new Counter({
    name,
    help,
    registers: [],
    collect() {
      const now = read();
      this.inc(now - reported);
      reported = now;
    },
  });
}

export interface MessageMetrics {
  /** Sends refused by overload admission, by reason. */
  sendsRefused: Counter<'reason'>;
  register(registry: Registry, sendQueue: SendQueueView): void;
}

export function createMessageMetrics(): MessageMetrics {
  const sendsRefused = new Counter({
    name: 'message_sends_refused_total',
    help: 'Sends refused with 429 rate_limited because the service was over capacity, by reason (queue_delay, queue_full)',
    labelNames: ['reason'] as const,
    registers: [],
  });
  for (const reason of ['queue_delay', 'queue_full'] satisfies RefusalReason[]) sendsRefused.inc({ reason }, 0);
  return {
    sendsRefused,
    register(registry, sendQueue) {
      registry.registerMetric(sendsRefused);
      registry.registerMetric(
        totalCounter('message_send_transactions_total', 'Group-commit transactions (each writes a batch of sends)', () => sendQueue.transactions),
      );
      registry.registerMetric(totalCounter('message_send_batched_total', 'Sends taken into group-commit transactions', () => sendQueue.sendsWritten));
      registry.registerMetric(
        new Gauge({
          name: 'message_send_queue_depth',
          help: 'Sends waiting for a group-commit transaction',
          registers: [],
          collect() {
            this.set(sendQueue.waiting);
          },
        }),
      );
      registry.registerMetric(
        new Gauge({
          name: 'message_send_queue_wait_seconds',
          help: 'Queueing delay of sends as overload admission sees it: the longest wait of a batch taken in the last moments (0 when none)',
          registers: [],
          collect() {
            this.set(sendQueue.recentWaitMs / 1000);
          },
        }),
      );
    },
  };
}
