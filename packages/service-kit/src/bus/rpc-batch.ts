import type { RpcDef, z } from '@chat/contracts';
import type { Subscription } from '@nats-io/transport-node';
import { requestIdFrom, withRequestContext } from '../context.js';
import { AppError } from '../errors.js';
import type { Bus } from './bus.js';
import { type RpcHandler, replyData, replyTo, requestBody, requestText, respond } from './rpc.js';

/**
 * Batched calls of one rpc: many requests in one NATS message, one reply for all of them. The
 * request is a JSON array of `def.request`s; the reply has one line per request, in order, each
 * the reply that request alone would have got (JSON never holds a raw newline). Every request is
 * handled on its own: one failing fails no other.
 */
export const batchSubject = (def: RpcDef) => `${def.subject}.batch`;

/** Most requests in one batch. */
export const RPC_BATCH_MAX = 64;

/** Serves `def` batched on `<subject>.batch` in the service's queue group, with the same handler as `serveRpc`. */
export function serveRpcBatch<D extends RpcDef>(bus: Bus, def: D, handler: RpcHandler<D>): Subscription {
  return bus.nc.subscribe(bus.prefix + batchSubject(def), {
    queue: bus.service,
    callback: (err, msg) => {
      if (err) {
        bus.logger.error('rpc subscription failed', { subject: batchSubject(def), err: err.message });
        return;
      }
      const requestId = requestIdFrom(msg.headers?.get('x-request-id'));
      void withRequestContext({ requestId }, async () => {
        const requests = requestBody(msg);
        if (!Array.isArray(requests) || requests.length === 0 || requests.length > RPC_BATCH_MAX) {
          return respond(
            bus,
            def,
            msg,
            JSON.stringify({ ok: false, error: { code: 'validation_failed', status: 400, detail: `a batch holds 1 to ${RPC_BATCH_MAX} requests` } }),
          );
        }
        const replies = await Promise.all(requests.map((request) => replyTo(bus, def, handler, request)));
        respond(bus, def, msg, replies.join('\n'));
      });
    },
  });
}

interface Queued {
  request: unknown;
  resolve(json: string): void;
  reject(err: unknown): void;
}

/**
 * The calling side: requests made in the same turn of the event loop go out together (at most
 * `RPC_BATCH_MAX` a batch), each resolving with its own reply's data as JSON text, unparsed, or
 * rejecting with its own error, as `callRpcForJson` would.
 */
export class RpcBatcher<D extends RpcDef> {
  private queue: Queued[] = [];
  private scheduled = false;

  constructor(
    private readonly bus: Bus,
    private readonly def: D,
    private readonly timeoutMs: number,
  ) {}

  callForJson(request: z.input<D['request']>): Promise<string> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      if (this.queue.length >= RPC_BATCH_MAX) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    void this.send(batch);
  }

  private async send(batch: Queued[]): Promise<void> {
    let lines: string[];
    try {
      const text = await requestText(
        this.bus,
        batchSubject(this.def),
        batch.map((q) => q.request),
        this.timeoutMs,
      );
      lines = text.split('\n');
      // A batch refused whole (never for a well-formed batch): the same error for each request.
      if (lines.length !== batch.length) lines = batch.map(() => lines[0]!);
    } catch (err) {
      for (const q of batch) q.reject(err);
      return;
    }
    batch.forEach((q, i) => {
      try {
        q.resolve(replyData(this.def, lines[i]!));
      } catch (err) {
        q.reject(err instanceof AppError ? err : new AppError(502, 'internal', `${this.def.subject} answered outside its contract`));
      }
    });
  }
}
