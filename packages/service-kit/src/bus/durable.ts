import { AckPolicy, type ConsumerConfig, type ConsumerMessages, DeliverPolicy } from '@nats-io/jetstream';
import { type Bus, ensureEventStream } from './bus.js';
import { trackDurable } from './bus-metrics.js';

const ACK_WAIT_NS = 30e9;

export interface DurableOptions {
  durable: string;
  /** Subject filter below the bus prefix, e.g. `evt.message.>`. */
  filter: string;
  maxDeliver?: number;
  maxAckPending?: number;
}

/** Creates the durable pull consumer on the event stream unless it exists (replicas may race). */
export async function ensureDurable(bus: Bus, opts: DurableOptions): Promise<void> {
  const config: Partial<ConsumerConfig> = {
    durable_name: opts.durable,
    filter_subject: bus.prefix + opts.filter,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: ACK_WAIT_NS,
    max_deliver: opts.maxDeliver ?? 20,
    ...(opts.maxAckPending ? { max_ack_pending: opts.maxAckPending } : {}),
  };
  await bus.jsm.consumers.add(bus.streamName, config).catch(async (err) => {
    // Another replica created it first.
    await bus.jsm.consumers.info(bus.streamName, opts.durable).catch(() => {
      throw err;
    });
  });
}

/**
 * Opens the durable consumer's message flow and keeps it flowing when NATS loses the stream or the
 * consumer (a server restarted with an empty store): both are created again, and the flow, which
 * keeps asking, resumes on its own. Events still in the outboxes are published into the new stream.
 */
export async function openDurable(bus: Bus, opts: DurableOptions, maxMessages: number): Promise<ConsumerMessages> {
  await ensureDurable(bus, opts);
  trackDurable(bus, opts.durable);
  const consumer = await bus.js.consumers.get(bus.streamName, opts.durable);
  const messages = await consumer.consume({ max_messages: maxMessages });
  void (async () => {
    for await (const status of messages.status()) {
      if (status.type !== 'stream_not_found' && status.type !== 'consumer_not_found' && status.type !== 'consumer_deleted') continue;
      try {
        await ensureEventStream(bus);
        await ensureDurable(bus, opts);
        bus.logger.warn('event consumer recreated', { durable: opts.durable, after: status.type });
      } catch {
        // NATS is not back yet: the next notification tries again.
      }
    }
  })();
  return messages;
}
