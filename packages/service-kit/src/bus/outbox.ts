import type { EventDef, EventData, EventEnvelope } from '@chat/contracts';
import { currentRequestId } from '../context.js';
import type { Db, Executor } from '../db/database.js';
import { newId } from '../ids.js';
import type { Logger } from '../logger.js';
import { type Bus, ensureEventStream, traceHeaders } from './bus.js';
import { headers as natsHeaders } from '@nats-io/transport-node';

/**
 * Writes an event to the outbox inside the caller's transaction. The relay publishes it after
 * commit; a rolled-back transaction leaves no event behind.
 */
export async function recordEvent<E extends EventDef>(t: Executor, def: E, appId: string, data: EventData<E>): Promise<EventEnvelope<EventData<E>>> {
  const envelope = { id: newId(), type: def.type, occurredAt: new Date().toISOString(), appId, data };
  await t.none('INSERT INTO outbox (id, subject, payload, request_id) VALUES ($1, $2, $3, $4)', [
    envelope.id,
    `evt.${def.type}`,
    envelope,
    currentRequestId() ?? null,
  ]);
  return envelope;
}

/** Writes many events of one type to the outbox in one statement, inside the caller's transaction. */
export async function recordEventBatch<E extends EventDef>(t: Executor, def: E, entries: { appId: string; data: EventData<E> }[]): Promise<void> {
  if (entries.length === 0) return;
  const { query, values } = eventBatchStatement(def, entries);
  await t.none(query, values);
}

/**
 * The statement `recordEventBatch` runs, for a caller that sends it together with its own
 * statements in one round trip (`pgHelpers.concat`); it must run inside the caller's transaction.
 */
export function eventBatchStatement<E extends EventDef>(def: E, entries: { appId: string; data: EventData<E> }[]): { query: string; values: unknown[] } {
  const occurredAt = new Date().toISOString();
  const requestId = currentRequestId() ?? null;
  const rows = entries.map((e) => {
    const envelope = { id: newId(), type: def.type, occurredAt, appId: e.appId, data: e.data };
    return { id: envelope.id, subject: `evt.${def.type}`, payload: envelope, request_id: requestId };
  });
  return {
    query: `INSERT INTO outbox (id, subject, payload, request_id)
     SELECT id, subject, payload, request_id FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, subject text, payload jsonb, request_id text)`,
    values: [JSON.stringify(rows)],
  };
}

interface OutboxRow {
  seq: string;
  id: string;
  subject: string;
  /** The envelope's JSON as stored: published as is, never parsed here. */
  payload: string;
  request_id: string | null;
}

export interface OutboxRelayOptions {
  pollMs?: number;
  batchSize?: number;
}

/**
 * Publishes outbox rows to JetStream with `Nats-Msg-Id` = event id, then deletes them. Rows are
 * claimed with `FOR UPDATE SKIP LOCKED` rather than read past a high-water mark, so a row whose
 * transaction commits late is never skipped; replicas may run relays side by side. A crash after
 * publish and before delete re-publishes, and JetStream drops the duplicate by its id.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private readonly pollMs: number;
  private readonly batchSize: number;

  constructor(
    private readonly db: Db,
    private readonly bus: Bus,
    private readonly logger: Logger,
    opts: OutboxRelayOptions = {},
  ) {
    this.pollMs = opts.pollMs ?? 1000;
    this.batchSize = opts.batchSize ?? 200;
  }

  start(): void {
    this.stopped = false;
    this.kick();
  }

  /** Asks for a drain now (called after a commit); coalesces with a drain already under way. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.drain().then(() => undefined).finally(() => {
      this.running = undefined;
      if (this.stopped) return;
      if (this.again) {
        this.again = false;
        this.kick();
      } else {
        this.timer = setTimeout(() => this.kick(), this.pollMs);
      }
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Publishes until the outbox is empty; returns how many events went out. */
  async drain(): Promise<number> {
    let total = 0;
    try {
      for (;;) {
        const sent = await this.publishBatch();
        total += sent;
        if (sent < this.batchSize) break;
      }
    } catch (err) {
      this.logger.warn('outbox relay paused', { err: err instanceof Error ? err.message : String(err) });
      // NATS may have come back without its store: the stream is created again before the next try.
      await ensureEventStream(this.bus).catch(() => {});
    }
    return total;
  }

  private publishBatch(): Promise<number> {
    return this.db.tx('outbox-relay', async (t) => {
      const rows = await t.manyOrNone<OutboxRow>(
        'SELECT seq, id, subject, payload::text AS payload, request_id FROM outbox ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED',
        [this.batchSize],
      );
      if (rows.length === 0) return 0;
      // Published in order on one connection: JetStream stores them in that order.
      await Promise.all(rows.map((row) => this.publish(row)));
      await t.none('DELETE FROM outbox WHERE seq IN ($1:csv)', [rows.map((r) => r.seq)]);
      return rows.length;
    });
  }

  private publish(row: OutboxRow) {
    const h = row.request_id ? natsHeaders() : traceHeaders();
    if (row.request_id) h.set('x-request-id', row.request_id);
    return this.bus.js.publish(this.bus.prefix + row.subject, row.payload, { msgID: row.id, headers: h });
  }
}
