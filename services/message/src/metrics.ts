import { Counter, Gauge, type Registry } from 'prom-client';
import type { RefusalReason } from './domain/send-admission.js';

/** What the gauges read when scraped. */
export interface SendQueueView {
  readonly waiting: number;
  readonly recentWaitMs: number;
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
