import { rateLimitRefusals } from '@chat/service-kit';
import { Counter, Gauge, type Registry } from 'prom-client';

/** What the node counts; gauges read live sizes when scraped. */
export interface RealtimeMetrics {
  eventsIn: Counter<'kind'>;
  /** Frames written to sockets: a plain count on the hot path, turned into the counter when scraped. */
  framesOut: { count: number };
  sendBufferDrops: Counter;
  syncs: Counter;
  syncReplayedEvents: Counter;
  syncHeldEvents: Counter;
  ops: Counter<'op' | 'outcome'>;
  closes: Counter<'code'>;
  /** Counts a refusal in the kit's `rate_limit_refusals_total{limit}` (`ws-ops`: a frame over the socket's op budget). */
  refused(limit: string): void;
  register(registry: Registry): void;
}

export interface LiveSizes {
  sockets(): { ready: number; pending: number; bufferedBytes: number };
  subscriptions(): { chat: number; user: number; presence: number };
}

export function createRealtimeMetrics(sizes: LiveSizes): RealtimeMetrics {
  const connected = new Gauge({
    name: 'realtime_connected_sockets',
    help: 'Open sockets on this node, by state (pending: not authenticated yet)',
    labelNames: ['state'] as const,
    registers: [],
    collect() {
      const s = sizes.sockets();
      this.set({ state: 'ready' }, s.ready);
      this.set({ state: 'pending' }, s.pending);
    },
  });
  const sendBuffered = new Gauge({
    name: 'realtime_send_buffer_bytes',
    help: "Bytes written to this node's sockets and not yet sent (sum of their send buffers)",
    registers: [],
    collect() {
      this.set(sizes.sockets().bufferedBytes);
    },
  });
  const subscriptions = new Gauge({
    name: 'realtime_subscriptions',
    help: 'NATS subscriptions of this node, by kind (rt.chat, rt.user, rt.presence)',
    labelNames: ['kind'] as const,
    registers: [],
    collect() {
      for (const [kind, n] of Object.entries(sizes.subscriptions())) this.set({ kind }, n);
    },
  });
  const framesOut = { count: 0 };
  let reported = 0;
  const eventsOut = new Counter({
    name: 'realtime_events_out_total',
    help: 'Frames sent to sockets (events, replays, acks)',
    registers: [],
    collect() {
      this.inc(framesOut.count - reported);
      reported = framesOut.count;
    },
  });
  const metrics = {
    eventsIn: new Counter({
      name: 'realtime_events_in_total',
      help: 'Live frames received from NATS, by subject kind',
      labelNames: ['kind'] as const,
      registers: [],
    }),
    sendBufferDrops: new Counter({ name: 'realtime_send_buffer_drops_total', help: 'Sockets cut off as slow consumers (4008)', registers: [] }),
    syncs: new Counter({ name: 'realtime_sync_replays_total', help: 'Chats replayed by sync', registers: [] }),
    syncReplayedEvents: new Counter({ name: 'realtime_sync_replayed_events_total', help: 'Log events pushed by sync replays', registers: [] }),
    syncHeldEvents: new Counter({ name: 'realtime_sync_held_events_total', help: 'Live log events held back while their chat was replayed', registers: [] }),
    ops: new Counter({ name: 'realtime_ops_total', help: 'Client ops, by op and outcome', labelNames: ['op', 'outcome'] as const, registers: [] }),
    closes: new Counter({ name: 'realtime_closes_total', help: 'Sockets closed by the server, by close code', labelNames: ['code'] as const, registers: [] }),
  };
  let refusals: Counter<'limit'> | undefined;
  return {
    ...metrics,
    framesOut,
    refused: (limit) => refusals?.inc({ limit }),
    register(registry) {
      refusals = rateLimitRefusals(registry);
      registry.registerMetric(connected);
      registry.registerMetric(sendBuffered);
      registry.registerMetric(subscriptions);
      registry.registerMetric(eventsOut);
      for (const metric of Object.values(metrics)) registry.registerMetric(metric as Counter<string>);
    },
  };
}
