import { EventEnvelope, type EventData, type EventDef, eventSubject } from '@chat/contracts';
import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { requestIdFrom, withRequestContext } from '../context.js';
import type { Bus } from './bus.js';
import { openDurable } from './durable.js';

export type EventHandler<E extends EventDef> = (event: EventEnvelope<EventData<E>>) => Promise<void>;

export interface EventConsumerOptions<E extends EventDef> {
  /** Durable name `<service>-<purpose>`: replicas share it, so each event is handled once per service. */
  durable: string;
  event: E;
  handler: EventHandler<E>;
  maxDeliver?: number;
}

export interface RunningConsumer {
  stop(): Promise<void>;
}

function retryDelayMs(deliveryCount: number): number {
  return Math.min(30_000, 250 * 2 ** Math.min(deliveryCount, 7));
}

/**
 * Consumes one event type with a durable pull consumer. Invalid payload → term (it will never
 * parse); handler failure → nak with backoff; success → ack. Handlers must be idempotent.
 */
export function consumeEvents<E extends EventDef>(bus: Bus, opts: EventConsumerOptions<E>): Promise<RunningConsumer> {
  return consumeSubject(bus, {
    durable: opts.durable,
    filter: eventSubject(opts.event),
    maxDeliver: opts.maxDeliver,
    route: () => ({ event: opts.event, handler: opts.handler as EventHandler<EventDef> }),
  });
}

/** A handler for one event type of a family. */
export interface FamilyHandler {
  event: EventDef;
  handler: EventHandler<EventDef>;
}

export function on<E extends EventDef>(event: E, handler: EventHandler<E>): FamilyHandler {
  return { event, handler: handler as EventHandler<EventDef> };
}

export interface EventFamilyOptions {
  durable: string;
  /** Subject filter below `evt.`, e.g. `chat.>`. */
  filter: string;
  handlers: FamilyHandler[];
  maxDeliver?: number;
}

/**
 * Consumes several event types through one durable consumer, so they are handled one at a time
 * in stream order (a member's `left` never before their `added`). Types without a handler are acked.
 */
export function consumeEventFamily(bus: Bus, opts: EventFamilyOptions): Promise<RunningConsumer> {
  const byType = new Map(opts.handlers.map((h) => [h.event.type, h]));
  return consumeSubject(bus, { durable: opts.durable, filter: `evt.${opts.filter}`, maxDeliver: opts.maxDeliver, route: (type) => byType.get(type) });
}

interface SubjectConsumerOptions {
  durable: string;
  filter: string;
  maxDeliver?: number;
  route: (type: string) => FamilyHandler | undefined;
}

async function consumeSubject(bus: Bus, opts: SubjectConsumerOptions): Promise<RunningConsumer> {
  const messages: ConsumerMessages = await openDurable(bus, { durable: opts.durable, filter: opts.filter, maxDeliver: opts.maxDeliver }, 64);

  const handle = async (msg: JsMsg) => {
    const envelope = EventEnvelope.safeParse(safeJson(msg));
    const target = envelope.success ? opts.route(envelope.data.type) : undefined;
    if (envelope.success && !target) {
      msg.ack();
      return;
    }
    const data = envelope.success ? target?.event.data.safeParse(envelope.data.data) : undefined;
    if (!envelope.success || !target || !data?.success) {
      bus.logger.error('invalid event terminated', { subject: msg.subject, seq: msg.seq });
      msg.term();
      return;
    }
    const requestId = requestIdFrom(msg.headers?.get('x-request-id'));
    await withRequestContext({ requestId }, async () => {
      try {
        await target.handler({ ...envelope.data, data: data.data });
        msg.ack();
      } catch (err) {
        bus.logger.warn('event handler failed, will retry', {
          subject: msg.subject,
          eventId: envelope.data.id,
          err: err instanceof Error ? err.message : String(err),
        });
        msg.nak(retryDelayMs(msg.info.deliveryCount));
      }
    });
  };

  const loop = (async () => {
    for await (const msg of messages) await handle(msg);
  })();

  return {
    async stop() {
      await messages.close();
      await loop.catch(() => {});
    },
  };
}

function safeJson(msg: JsMsg): unknown {
  try {
    return msg.json();
  } catch {
    return undefined;
  }
}
