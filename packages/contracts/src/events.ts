import { Timestamp, Uuid } from './common.js';

import { z } from './zod.js';

/** Envelope of every event on the `evt.>` stream; `id` is also the JetStream `Nats-Msg-Id`. */
export const EventEnvelope = z.object({
  id: Uuid,
  type: z.string(),
  occurredAt: Timestamp,
  appId: Uuid,
  data: z.unknown(),
});
export type EventEnvelope<T = unknown> = Omit<z.infer<typeof EventEnvelope>, 'data'> & { data: T };

export interface EventDef<T extends z.ZodType = z.ZodType> {
  /** `<service>.<entity>.<past-verb>`; the subject is `evt.` + type. */
  type: string;
  data: T;
  /** When it is published and what consumers must know; generated into the READMEs. */
  description?: string;
}

export function defineEvent<const T extends z.ZodType>(type: string, data: T, description?: string): EventDef<T> {
  return description === undefined ? { type, data } : { type, data, description };
}

export type EventData<E extends EventDef> = z.infer<E['data']>;

export function eventSubject(def: EventDef): string {
  return `evt.${def.type}`;
}
