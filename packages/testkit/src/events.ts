import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats } from './infra.js';
import type { Stack } from './stack.js';
import { waitFor } from './wait.js';

/** An event as published (the contract's envelope, with data loosely typed for assertions). */
export interface Envelope {
  id: string;
  type: string;
  occurredAt: string;
  appId: string;
  data: Record<string, any>;
}

export interface ReceivedEvent {
  subject: string;
  event: Envelope;
}

export interface EventRecorder {
  /** The raw connection, for publishing or anything else a test needs. */
  nc: NatsConnection;
  /** Every event seen so far, in arrival order (a live array). */
  received: ReceivedEvent[];
  /** Waits for the first event of `type` whose data holds every given field. */
  waitFor(type: string, data: Record<string, unknown>): Promise<ReceivedEvent>;
  /** Every event of `type` seen so far whose data holds every given field. */
  filter(type: string, data: Record<string, unknown>): Envelope[];
  /** Calls an rpc of the stack (`rpc.…`) and returns its raw reply. */
  rpc(subject: string, body: unknown): Promise<any>;
  close(): Promise<void>;
}

const holds = (e: Envelope, type: string, data: Record<string, unknown>) => e.type === type && Object.entries(data).every(([k, v]) => e.data[k] === v);

/** Records the stack's events under `filter` (e.g. `evt.chat.>`) from now on. */
export async function recordEvents(stack: Stack, filter = 'evt.>'): Promise<EventRecorder> {
  const prefix = stack.env.NATS_PREFIX ?? '';
  const nc = await connectNats(stack.env.NATS_URL);
  const received: ReceivedEvent[] = [];
  const sub = nc.subscribe(prefix + filter);
  void (async () => {
    for await (const msg of sub) received.push({ subject: msg.subject, event: msg.json<Envelope>() });
  })();
  await nc.flush();
  return {
    nc,
    received,
    waitFor: (type, data) => waitFor(() => received.find((r) => holds(r.event, type, data)), 5000, `${type} ${JSON.stringify(data)}`),
    filter: (type, data) => received.map((r) => r.event).filter((e) => holds(e, type, data)),
    rpc: async (subject, body) => (await nc.request(prefix + subject, JSON.stringify(body), { timeout: 5000 })).json(),
    close: () => nc.drain(),
  };
}
