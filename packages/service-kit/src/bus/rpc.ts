import { RpcErrorReply, type RpcDef, type z } from '@chat/contracts';
import { RequestError, type Subscription, TimeoutError as NatsTimeoutError } from '@nats-io/transport-node';
import { requestIdFrom, withRequestContext } from '../context.js';
import { AppError, ServiceUnavailableError, TimeoutError, isDependencyOutage } from '../errors.js';
import { fieldErrors } from '../http/validate.js';
import { type Bus, traceHeaders } from './bus.js';

export type RpcHandler<D extends RpcDef> = (request: z.infer<D['request']>) => Promise<z.input<D['response']>>;

function errorReply(err: unknown): z.infer<typeof RpcErrorReply> {
  if (err instanceof AppError) {
    const { retryAfterS } = err.extra;
    return { ok: false, error: { code: err.code, status: err.status, detail: err.detail, ...(retryAfterS ? { retryAfterS } : {}) } };
  }
  if (isDependencyOutage(err)) return { ok: false, error: { code: 'service_unavailable', status: 503, detail: 'a dependency is unavailable' } };
  return { ok: false, error: { code: 'internal', status: 500, detail: 'internal error' } };
}

/** The largest message the NATS server takes. */
function maxPayload(bus: Bus): number {
  return bus.nc.info?.max_payload ?? 1024 * 1024;
}

/** Bytes a reply's data may take (the server's limit less room for the reply's own wrapping): paged replies stop filling here. */
export function rpcReplyBudget(bus: Bus): number {
  return maxPayload(bus) - 16 * 1024;
}

/** Serves `def.subject` in the service's queue group; every request gets a reply, errors included. */
export function serveRpc<D extends RpcDef>(bus: Bus, def: D, handler: RpcHandler<D>): Subscription {
  return bus.nc.subscribe(bus.prefix + def.subject, {
    queue: bus.service,
    callback: (err, msg) => {
      if (err) {
        bus.logger.error('rpc subscription failed', { subject: def.subject, err: err.message });
        return;
      }
      const requestId = requestIdFrom(msg.headers?.get('x-request-id'));
      void withRequestContext({ requestId }, async () => {
        let reply: unknown;
        try {
          const parsed = def.request.safeParse(msg.json());
          if (!parsed.success) {
            const detail = fieldErrors(parsed.error).map((e) => `${e.path}: ${e.message}`).join('; ');
            throw new AppError(400, 'validation_failed', detail || 'invalid request');
          }
          reply = { ok: true, data: await handler(parsed.data as z.infer<D['request']>) };
        } catch (e) {
          if (!(e instanceof AppError) && !isDependencyOutage(e)) bus.logger.error('rpc handler failed', { subject: def.subject, err: e instanceof Error ? e.stack : String(e) });
          reply = errorReply(e);
        }
        let text = JSON.stringify(reply);
        if (Buffer.byteLength(text) > maxPayload(bus)) {
          bus.logger.error('rpc reply over the NATS payload limit', { subject: def.subject, bytes: Buffer.byteLength(text) });
          text = JSON.stringify(errorReply(new AppError(502, 'internal', 'reply too large')));
        }
        try {
          msg.respond(text);
        } catch (e) {
          bus.logger.error('rpc reply failed', { subject: def.subject, err: e instanceof Error ? e.message : String(e) });
        }
      });
    },
  });
}

/** Calls an rpc. No responder → 503, no answer in time → 504, an error reply → the same AppError. */
export async function callRpc<D extends RpcDef>(bus: Bus, def: D, request: z.input<D['request']>, timeoutMs = 2000): Promise<z.infer<D['response']>> {
  let raw: unknown;
  try {
    const msg = await bus.nc.request(bus.prefix + def.subject, JSON.stringify(request), { timeout: timeoutMs, headers: traceHeaders() });
    raw = msg.json();
  } catch (err) {
    if (err instanceof RequestError && err.isNoResponders()) throw new ServiceUnavailableError(`${def.subject} has no responders`);
    if (err instanceof NatsTimeoutError || (err instanceof Error && err.cause instanceof NatsTimeoutError)) throw new TimeoutError(`${def.subject} timed out`);
    throw new ServiceUnavailableError(`${def.subject} failed`);
  }
  const failure = RpcErrorReply.safeParse(raw);
  if (failure.success) {
    const { status, code, detail, retryAfterS } = failure.data.error;
    throw new AppError(status, code, detail, retryAfterS ? { retryAfterS } : {});
  }
  const data = (raw as { data?: unknown }).data;
  const parsed = def.response.safeParse(data);
  if (!parsed.success) throw new AppError(502, 'internal', `${def.subject} answered outside its contract`);
  return parsed.data as z.infer<D['response']>;
}
