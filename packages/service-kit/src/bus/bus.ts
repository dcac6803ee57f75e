import { type NatsConnection, connect, headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { Registry } from 'prom-client';
import { currentRequestId } from '../context.js';
import { createServiceRegistry } from '../metrics.js';
import type { Logger } from '../logger.js';

export interface Bus {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** Subject prefix of this deployment (empty in production; per test file in tests). */
  prefix: string;
  /** JetStream stream holding `evt.>`. */
  streamName: string;
  service: string;
  logger: Logger;
  /** The service instance's metrics registry: rpc calls and consumers report there. */
  registry: Registry;
}

export function streamNameFor(prefix: string): string {
  return `${prefix.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}EVENTS`;
}

export interface BusOptions {
  url: string;
  prefix: string;
  service: string;
  logger: Logger;
  /** The service's own NATS user: its permissions say what it may publish and answer. */
  credentials?: { user: string; pass: string };
  /** The service instance's registry (its HTTP app serves it); default: a new one. */
  registry?: Registry;
}

/** Replies to a service's requests arrive under its own inbox prefix, which only it may subscribe to. */
export const inboxPrefixFor = (service: string) => `_INBOX.${service}`;

export async function connectBus(opts: BusOptions): Promise<Bus> {
  const nc = await connect({
    servers: opts.url.split(','),
    name: opts.service,
    ...opts.credentials,
    inboxPrefix: inboxPrefixFor(opts.service),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    // No stack captured up front for every request and JetStream publish (callRpc maps NATS
    // errors to our own anyway): on the send path that is two Errors per message saved.
    noAsyncTraces: true,
  });
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnect') opts.logger.warn('nats connection status', { status: status.type });
    }
  })();
  return {
    nc,
    js: jetstream(nc),
    jsm: await jetstreamManager(nc),
    prefix: opts.prefix,
    streamName: streamNameFor(opts.prefix),
    service: opts.service,
    logger: opts.logger,
    registry: opts.registry ?? createServiceRegistry(opts.service),
  };
}

/** Headers that carry the request id across NATS. */
export function traceHeaders(): MsgHdrs {
  const h = natsHeaders();
  const requestId = currentRequestId();
  if (requestId) h.set('x-request-id', requestId);
  return h;
}

const EVENT_RETENTION_NS = 7 * 24 * 3600 * 1e9;
const DUPLICATE_WINDOW_NS = 5 * 60 * 1e9;

/** Creates the `evt.>` stream if it is missing; safe when several services race to create it. */
export async function ensureEventStream(bus: Bus): Promise<void> {
  const config = {
    name: bus.streamName,
    subjects: [`${bus.prefix}evt.>`],
    max_age: EVENT_RETENTION_NS,
    duplicate_window: DUPLICATE_WINDOW_NS,
  };
  try {
    await bus.jsm.streams.info(bus.streamName);
    return;
  } catch {
    // missing: create below
  }
  try {
    await bus.jsm.streams.add(config);
  } catch (err) {
    await bus.jsm.streams.info(bus.streamName).catch(() => {
      throw err;
    });
  }
}
