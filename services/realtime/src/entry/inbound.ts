import { CloseCode, FrameRef, type ClientOp, clientOps, isClientOpName } from '@chat/contracts';
import { AppError, fieldErrors } from '@chat/service-kit';
import type { NodeContext } from '../context.js';
import { AckJson } from '../ops/ack-json.js';
import { type RequestOpName, opHandlers } from '../ops/index.js';
import { type LiveSocket, SocketState } from '../primitives/live-socket.js';
import { Verdict, takeOp } from '../primitives/rate-limit.js';

/** Frames a socket may send before `ready` (e.g. a `sync` right after opening); more are refused. */
const EARLY_FRAMES_MAX = 16;

type Frame = Record<string, unknown>;

function parseFrame(data: Buffer): Frame | undefined {
  try {
    const value: unknown = JSON.parse(data.toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Frame) : undefined;
  } catch {
    return undefined;
  }
}

function refOf(frame: Frame | undefined): FrameRef | undefined {
  const ref = FrameRef.safeParse(frame?.ref);
  return ref.success ? ref.data : undefined;
}

/** Reads client frames: rate limit, then auth (before ready) or the op table (after, where `auth` renews the token). */
export class Inbound {
  constructor(
    private readonly node: NodeContext,
    private readonly authenticate: (sock: LiveSocket, token: string) => Promise<void>,
  ) {}

  onFrame(sock: LiveSocket, data: Buffer, isBinary: boolean): void {
    const now = Date.now();
    sock.lastSeenAt = now;
    if (sock.state === SocketState.Closing) return;
    const verdict = takeOp(sock, this.node.deps.config, now);
    if (verdict !== Verdict.Allowed) {
      this.node.deps.metrics.refused('ws-ops');
      this.node.delivery.error(sock, refOf(parseFrame(data)), 'rate_limited', 'too many ops: slow down', undefined, 1);
      if (verdict === Verdict.Abusive) this.node.delivery.close(sock, CloseCode.rateLimited, 'rate limited');
      return;
    }
    if (sock.state === SocketState.AwaitingAuth) this.firstFrame(sock, data, isBinary);
    else if (sock.state === SocketState.Authenticating) this.hold(sock, data, isBinary);
    else this.handle(sock, data, isBinary);
  }

  /** Handles the frames that arrived before `ready`. */
  drainEarly(sock: LiveSocket): void {
    const early = sock.early;
    sock.early = undefined;
    for (const data of early ?? []) this.handle(sock, data, false);
  }

  private firstFrame(sock: LiveSocket, data: Buffer, isBinary: boolean): void {
    const auth = isBinary ? undefined : clientOps.auth.safeParse(parseFrame(data));
    if (!auth?.success) {
      this.node.delivery.close(sock, CloseCode.unauthorized, 'authenticate first');
      return;
    }
    void this.authenticate(sock, auth.data.d.token);
  }

  private hold(sock: LiveSocket, data: Buffer, isBinary: boolean): void {
    const early = (sock.early ??= []);
    if (isBinary || early.length >= EARLY_FRAMES_MAX) {
      this.node.delivery.error(sock, refOf(parseFrame(data)), 'rate_limited', 'wait for ready');
      return;
    }
    // A copy: the frame waits past this callback.
    early.push(Buffer.from(data));
  }

  private handle(sock: LiveSocket, data: Buffer, isBinary: boolean): void {
    const { delivery } = this.node;
    if (isBinary) return delivery.error(sock, undefined, 'validation_failed', 'frames are JSON text');
    const frame = parseFrame(data);
    if (!frame) return delivery.error(sock, undefined, 'validation_failed', 'frame is not a JSON object');
    const ref = refOf(frame);
    const op = frame.op;
    if (!isClientOpName(op)) return delivery.error(sock, ref, 'validation_failed', typeof op === 'string' ? `unknown op ${op.slice(0, 40)}` : 'op is missing');
    if (op !== 'ping') sock.active = true;
    const parsed = clientOps[op].safeParse(frame);
    if (!parsed.success) return delivery.error(sock, ref, 'validation_failed', 'frame is not valid', fieldErrors(parsed.error));
    if (op === 'ping') return delivery.frame(sock, ref === undefined ? { op: 'pong' } : { op: 'pong', ref });
    void this.run(sock, op, parsed.data as ClientOp<RequestOpName>, ref);
  }

  private async run(sock: LiveSocket, op: RequestOpName, frame: ClientOp<RequestOpName>, ref: FrameRef | undefined): Promise<void> {
    const { delivery, deps } = this.node;
    const handler = opHandlers[op] as (node: NodeContext, sock: LiveSocket, d: unknown) => Promise<object>;
    try {
      const result = await handler(this.node, sock, frame.d);
      deps.metrics.ops.inc({ op, outcome: 'ok' });
      if (result instanceof AckJson) delivery.ackJson(sock, ref, result.json);
      else delivery.ack(sock, ref, result);
    } catch (err) {
      deps.metrics.ops.inc({ op, outcome: 'error' });
      if (err instanceof AppError) return delivery.error(sock, ref, err.code, err.detail, err.extra.errors, err.extra.retryAfterS);
      deps.logger.error('op failed', { op, err: err instanceof Error ? err.stack : String(err) });
      delivery.error(sock, ref, 'internal', 'internal error');
    }
  }
}
