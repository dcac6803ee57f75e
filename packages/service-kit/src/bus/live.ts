import type { LiveEvent } from '@chat/contracts';
import { JsonText } from '../json-text.js';
import type { Bus } from './bus.js';

/**
 * Publishes a realtime frame on a core NATS `rt.*` subject. Call only after the change it reports
 * has committed. Core NATS may drop it under faults; clients recover by seq and `sync`.
 */
export function publishLive(bus: Bus, subject: string, event: LiveEvent | JsonText): void {
  try {
    bus.nc.publish(bus.prefix + subject, event instanceof JsonText ? event.json : JSON.stringify(event));
  } catch (err) {
    bus.logger.warn('live publish failed', { subject, err: err instanceof Error ? err.message : String(err) });
  }
}
