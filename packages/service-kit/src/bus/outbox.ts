import type { EventDef, EventData, EventEnvelope } from '@chat/contracts';
import { currentRequestId } from '../context.js';
import type { Db, Executor } from '../db/database.js';
import { newId } from '../ids.js';
import { JsonText, withJsonField } from '../json-text.js';
import type { Logger } from '../logger.js';
import { type Bus, ensureEventStream } from './bus.js';
import { request } from './requests.js';
import { headers as natsHeaders } from '@nats-io/transport-node';

/** How long JetStream may take to store an event before the batch is rolled back and tried again. */
const PUBLISH_TIMEOUT_MS = 5000;

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
 * statements in one round trip (`concatStatements`); it must run inside the caller's transaction.
 * An entry's data may come serialised already (`JsonText` of exactly that data).
 */
export function eventBatchStatement<E extends EventDef>(
  def: E,
  entries: { appId: string; data: EventData<E> | JsonText }[],
): { query: string; values: unknown[] } {
  const occurredAt = new Date().toISOString();
  const requestId = currentRequestId() ?? null;
  const subject = `evt.${def.type}`;
  const rows = entries.map((e) => {
    const id = newId();
    const envelope = withJsonField(
      JSON.stringify({ id, type: def.type, occurredAt, appId: e.appId }),
      'data',
      e.data instanceof JsonText ? e.data.json : JSON.stringify(e.data),
    );
    return withJsonField(JSON.stringify({ id, subject, request_id: requestId }), 'payload', envelope);
  });
  return {
    query: `INSERT INTO outbox (id, subject, payload, request_id)
     SELECT id, subject, payload, request_id FROM json_to_recordset($1::json) AS x(id uuid, subject text, payload json, request_id text)`,
    values: [`[${rows.join(',')}]`],
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
  /**
   * Least time between the starts of two drains while commits keep coming: what commits in the
   * meantime goes out together, in one transaction, rather than a drain per commit.
   */
  minGapMs?: number;
  /** The relay vacuums the outbox after this many deletions, at most every `vacuumMinIntervalMs`. */
  vacuumAfterRows?: number;
  vacuumMinIntervalMs?: number;
}

/**
 * Publishes outbox rows to JetStream with `Nats-Msg-Id` = event id and deletes them in the same
 * transaction, which commits only once JetStream has stored every one. Rows are claimed with
 * `FOR UPDATE SKIP LOCKED` rather than read past a high-water mark, so a row whose transaction
 * commits late is never skipped; replicas may run relays side by side. A failed publish rolls the
 * delete back; a crash after publish and before commit re-publishes, and JetStream drops the
 * duplicate by its id.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  /** A drain is scheduled within `minGapMs`: later kicks ride on it. */
  private soon = false;
  private lastStart = 0;
  private stopped = true;
  private deletedSinceVacuum = 0;
  private vacuumedAt = -Infinity;
  private readonly pollMs: number;
  private readonly batchSize: number;
  private readonly minGapMs: number;
  private readonly vacuumAfterRows: number;
  private readonly vacuumMinIntervalMs: number;

  constructor(
    private readonly db: Db,
    private readonly bus: Bus,
    private readonly logger: Logger,
    opts: OutboxRelayOptions = {},
  ) {
    this.pollMs = opts.pollMs ?? 1000;
    this.batchSize = opts.batchSize ?? 500;
    this.minGapMs = opts.minGapMs ?? 50;
    this.vacuumAfterRows = opts.vacuumAfterRows ?? 20_000;
    this.vacuumMinIntervalMs = opts.vacuumMinIntervalMs ?? 10_000;
  }

  start(): void {
    this.stopped = false;
    this.kick();
  }

  /** Asks for a drain (called after a commit): now when the relay is idle, else right after the drain under way, at most every `minGapMs`. */
  kick(): void {
    if (this.stopped || this.soon) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    const wait = this.lastStart + this.minGapMs - performance.now();
    if (wait > 0) {
      this.soon = true;
      this.timer = setTimeout(() => this.run(), wait);
    } else {
      this.run();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.soon = false;
    await this.running;
  }

  private run(): void {
    this.soon = false;
    this.lastStart = performance.now();
    this.running = this.drain()
      .then(() => undefined)
      .finally(() => {
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

  /** Publishes until the outbox is empty; returns how many events went out. */
  async drain(): Promise<number> {
    let total = 0;
    try {
      for (;;) {
        const sent = await this.publishBatch();
        total += sent;
        if (sent < this.batchSize) break;
      }
      await this.vacuumWhenDue(total);
    } catch (err) {
      this.logger.warn('outbox relay paused', { err: err instanceof Error ? err.message : String(err) });
      // NATS may have come back without its store: the stream is created again before the next try.
      await ensureEventStream(this.bus).catch(() => {});
    }
    return total;
  }

  /**
   * Every row the relay deletes leaves a dead tuple behind. Autovacuum may be slow to come, or
   * off: then the table only grows, and every insert lands on a new page. The relay vacuums its
   * own table after `vacuumAfterRows` deletions (at most every `vacuumMinIntervalMs`), which keeps
   * it a few pages small; on a table this size a vacuum takes milliseconds.
   */
  private async vacuumWhenDue(deleted: number): Promise<void> {
    this.deletedSinceVacuum += deleted;
    const now = performance.now();
    if (this.deletedSinceVacuum < this.vacuumAfterRows || now - this.vacuumedAt < this.vacuumMinIntervalMs) return;
    this.deletedSinceVacuum = 0;
    this.vacuumedAt = now;
    await this.db.none('VACUUM outbox').catch((err: Error) => this.logger.warn('outbox vacuum failed', { err: err.message }));
  }

  /** One transaction of two round trips: claim-and-delete, then (after every publish is stored) commit. */
  private publishBatch(): Promise<number> {
    return this.db.task('outbox-relay', async (t) => {
      try {
        const [, claimed] = await t.multi<OutboxRow>(
          `BEGIN; DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED)
           RETURNING seq, id, subject, payload::text AS payload, request_id`,
          [this.batchSize],
        );
        const rows = claimed!.sort((a, b) => Number(a.seq) - Number(b.seq));
        // Published in order on one connection: JetStream stores them in that order.
        if (rows.length > 0) await Promise.all(rows.map((row) => this.publish(row)));
        await t.none('COMMIT');
        return rows.length;
      } catch (err) {
        await t.none('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  /**
   * A JetStream publish is a request to the stream's subject answered by the server's ack once
   * the message is stored; it goes through the kit's request path rather than the JetStream
   * client's, which builds a stack-trace error for every ack it receives.
   */
  private async publish(row: OutboxRow): Promise<void> {
    const h = natsHeaders();
    h.set('Nats-Msg-Id', row.id);
    if (row.request_id) h.set('x-request-id', row.request_id);
    const ack = await request(this.bus.nc, this.bus.prefix + row.subject, row.payload, h, PUBLISH_TIMEOUT_MS);
    const reply = JSON.parse(ack.string()) as { seq?: number; error?: { description?: string } };
    if (reply.error || typeof reply.seq !== 'number') throw new Error(`JetStream refused the event: ${reply.error?.description ?? 'no ack'}`);
  }
}
