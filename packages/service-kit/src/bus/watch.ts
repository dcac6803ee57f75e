import { type EventData, type EventDef, EventEnvelope, eventSubject } from '@chat/contracts';
import type { Subscription } from '@nats-io/transport-node';
import type { Bus } from './bus.js';

/**
 * Watches an event on its live subject from every process that calls it: a plain core
 * subscription (no queue group, no durable), for reactions that each node must make for its own
 * connections (closing revoked sessions, ending presence watches). Events that do not parse with
 * their contract are logged and dropped. A process that was away misses what happened meanwhile:
 * only use it where reconnecting clients come back to the right state anyway.
 */
export function watchEvent<E extends EventDef>(bus: Bus, def: E, handle: (data: EventData<E>, appId: string) => void): Subscription {
  return bus.nc.subscribe(bus.prefix + eventSubject(def), {
    callback: (err, msg) => {
      if (err) {
        bus.logger.warn('event watch failed', { type: def.type, err: err.message });
        return;
      }
      let body: unknown;
      try {
        body = msg.json();
      } catch {
        body = undefined;
      }
      const envelope = EventEnvelope.safeParse(body);
      const data = envelope.success ? def.data.safeParse(envelope.data.data) : undefined;
      if (!envelope.success || !data?.success) {
        bus.logger.warn('invalid event', { type: def.type });
        return;
      }
      handle(data.data as EventData<E>, envelope.data.appId);
    },
  });
}
