import { Gauge, Histogram } from 'prom-client';
import { ServiceUnavailableError, TimeoutError } from '../errors.js';
import { cachedSampler, metricOn } from '../metrics.js';
import type { Bus } from './bus.js';

export type RpcOutcome = 'ok' | 'error' | 'timeout' | 'unavailable';

const ERROR_REPLY = '{"ok":false';

function rpcDuration(bus: Bus): Histogram<'subject' | 'outcome'> {
  return metricOn(
    bus.registry,
    'rpc_request_duration_seconds',
    (registers) =>
      new Histogram({
        name: 'rpc_request_duration_seconds',
        help: 'rpc calls made by this service, by subject and outcome (error: an error reply; unavailable: no responder)',
        labelNames: ['subject', 'outcome'],
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
        registers,
      }),
  );
}

/** Outcome of a reply's text: a batched reply (one line per request) is an error when any line is. */
export function replyOutcome(text: string): RpcOutcome {
  return text.startsWith(ERROR_REPLY) || text.includes(`\n${ERROR_REPLY}`) || !text.startsWith('{"ok":true') ? 'error' : 'ok';
}

export function failureOutcome(err: unknown): RpcOutcome {
  if (err instanceof TimeoutError) return 'timeout';
  if (err instanceof ServiceUnavailableError) return 'unavailable';
  return 'error';
}

/** Starts timing a call on `subject` (below the bus prefix); the returned function records it. */
export function timeRpc(bus: Bus, subject: string): (outcome: RpcOutcome) => void {
  const startedAt = performance.now();
  return (outcome) => rpcDuration(bus).observe({ subject, outcome }, (performance.now() - startedAt) / 1000);
}

/** Consumer info is asked of JetStream at most this often, however often Prometheus scrapes. */
const PENDING_TTL_MS = 5000;
const PENDING_TIMEOUT_MS = 1000;

const durablesOf = new WeakMap<Bus, Set<string>>();

/**
 * Reports the durable consumer in `jetstream_consumer_pending{durable}`: messages not yet delivered
 * plus delivered and not yet acked, read from the consumer's info when scraped.
 */
export function trackDurable(bus: Bus, durable: string): void {
  let durables = durablesOf.get(bus);
  if (!durables) {
    durables = new Set();
    durablesOf.set(bus, durables);
    registerPendingGauge(bus, durables);
  }
  durables.add(durable);
}

function registerPendingGauge(bus: Bus, durables: Set<string>): void {
  const sample = cachedSampler(
    async () => {
      const names = [...durables];
      const infos = await Promise.allSettled(names.map((name) => bus.jsm.consumers.info(bus.streamName, name)));
      const pending = new Map<string, number>();
      infos.forEach((info, i) => {
        if (info.status === 'fulfilled') pending.set(names[i]!, info.value.num_pending + info.value.num_ack_pending);
      });
      return pending;
    },
    { ttlMs: PENDING_TTL_MS, timeoutMs: PENDING_TIMEOUT_MS },
  );
  metricOn(
    bus.registry,
    'jetstream_consumer_pending',
    (registers) =>
      new Gauge({
        name: 'jetstream_consumer_pending',
        help: 'Events of a durable consumer not yet delivered or not yet acked (num_pending + num_ack_pending)',
        labelNames: ['durable'],
        registers,
        async collect() {
          for (const [durable, n] of (await sample()) ?? []) this.set({ durable }, n);
        },
      }),
  );
}
