import { RpcErrorReply, type RpcDef, type z } from '@chat/contracts';
import type { Msg, Subscription } from '@nats-io/transport-node';
import { currentRequestId, requestIdFrom, withRequestContext } from '../context.js';
import { AppError, isDependencyOutage } from '../errors.js';
import { fieldErrors } from '../http/validate.js';
import { JsonText } from '../json-text.js';
import { type Bus, traceHeaders } from './bus.js';
import { failureOutcome, replyOutcome, timeRpc } from './bus-metrics.js';
import { request as natsRequest } from './requests.js';

/** Replies are built as `{"ok":true,"data":…}` exactly, so a caller that only passes the data on can cut it out unparsed. */
const OK_PREFIX = '{"ok":true,"data":';

/** Answers a request: the response, or its JSON already serialised (`JsonText`), sent as it is. */
export type RpcHandler<D extends RpcDef> = (request: z.infer<D['request']>) => Promise<z.input<D['response']> | JsonText>;

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

/**
 * The reply to one request, as text: `{"ok":true,"data":…}` when the handler answered, otherwise
 * an error reply. Never throws: a request outside the contract is a 400, a crash a 500.
 */
export async function replyTo<D extends RpcDef>(bus: Bus, def: D, handler: RpcHandler<D>, request: unknown): Promise<string> {
  let reply: unknown;
  try {
    const parsed = def.request.safeParse(request);
    if (!parsed.success) {
      const detail = fieldErrors(parsed.error)
        .map((e) => `${e.path}: ${e.message}`)
        .join('; ');
      throw new AppError(400, 'validation_failed', detail || 'invalid request');
    }
    const data = await handler(parsed.data as z.infer<D['request']>);
    if (data instanceof JsonText) return `${OK_PREFIX}${data.json}}`;
    reply = { ok: true, data };
  } catch (e) {
    if (!(e instanceof AppError) && !isDependencyOutage(e))
      bus.logger.error('rpc handler failed', { subject: def.subject, err: e instanceof Error ? e.stack : String(e) });
    reply = errorReply(e);
  }
  return JSON.stringify(reply);
}

/** Sends a reply, or an error reply in its place when it is over the NATS payload limit. */
export function respond(bus: Bus, def: RpcDef, msg: Msg, text: string): void {
  let bytes = Buffer.from(text);
  if (bytes.length > maxPayload(bus)) {
    bus.logger.error('rpc reply over the NATS payload limit', { subject: def.subject, bytes: bytes.length });
    bytes = Buffer.from(JSON.stringify(errorReply(new AppError(502, 'internal', 'reply too large'))));
  }
  try {
    msg.respond(bytes);
  } catch (e) {
    bus.logger.error('rpc reply failed', { subject: def.subject, err: e instanceof Error ? e.message : String(e) });
  }
}

/** Reads a request's JSON body; a body that is not JSON is answered as a request outside the contract. */
export function requestBody(msg: Msg): unknown {
  try {
    return msg.json();
  } catch {
    return undefined;
  }
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
      void withRequestContext({ requestId }, async () => respond(bus, def, msg, await replyTo(bus, def, handler, requestBody(msg))));
    },
  });
}

/** The request id of the current request as NATS headers, or none (a header block costs on every message). */
function requestHeaders() {
  return currentRequestId() ? traceHeaders() : undefined;
}

/** The data of a reply as JSON text, cut out unparsed; an error reply becomes its AppError. */
export function replyData(def: RpcDef, text: string): string {
  if (text.startsWith(OK_PREFIX) && text.endsWith('}')) return text.slice(OK_PREFIX.length, -1);
  throw failureOf(parseReply(def, text));
}

function parseReply(def: RpcDef, text: string): { ok?: unknown; data?: unknown } {
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError(502, 'internal', `${def.subject} answered with something other than JSON`);
  }
}

function failureOf(raw: unknown): AppError {
  const failure = RpcErrorReply.safeParse(raw);
  if (!failure.success) return new AppError(502, 'internal', 'an rpc answered outside its contract');
  const { status, code, detail, retryAfterS } = failure.data.error;
  return new AppError(status, code, detail, retryAfterS ? { retryAfterS } : {});
}

/**
 * Sends `request` as JSON on `subject` (below the bus prefix) and resolves with the reply's text.
 * Every rpc call goes through here, timed in `rpc_request_duration_seconds{subject,outcome}`.
 */
export async function requestText(bus: Bus, subject: string, request: unknown, timeoutMs: number): Promise<string> {
  const done = timeRpc(bus, subject);
  try {
    const text = (await natsRequest(bus.nc, bus.prefix + subject, JSON.stringify(request), requestHeaders(), timeoutMs)).string();
    done(replyOutcome(text));
    return text;
  } catch (err) {
    done(failureOutcome(err));
    throw err;
  }
}

/** Calls an rpc. No responder → 503, no answer in time → 504, an error reply → the same AppError. */
export async function callRpc<D extends RpcDef>(bus: Bus, def: D, request: z.input<D['request']>, timeoutMs = 2000): Promise<z.infer<D['response']>> {
  const raw = parseReply(def, await requestText(bus, def.subject, request, timeoutMs));
  if (raw?.ok !== true) throw failureOf(raw);
  const parsed = def.response.safeParse(raw.data);
  if (!parsed.success) throw new AppError(502, 'internal', `${def.subject} answered outside its contract`);
  return parsed.data as z.infer<D['response']>;
}

/**
 * Calls an rpc whose answer the caller hands on as it is (a WebSocket ack): resolves with the
 * reply's data as JSON text, neither parsed nor checked here; errors as `callRpc`.
 */
export async function callRpcForJson<D extends RpcDef>(bus: Bus, def: D, request: z.input<D['request']>, timeoutMs = 2000): Promise<string> {
  return replyData(def, await requestText(bus, def.subject, request, timeoutMs));
}
