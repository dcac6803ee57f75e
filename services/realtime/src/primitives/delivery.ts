import { CloseCode, type ErrorCode, type FrameRef } from '@chat/contracts';
import { WebSocket } from 'ws';
import type { RealtimeConfig } from '../config.js';
import type { RealtimeMetrics } from '../metrics.js';
import { type LiveSocket, type SentRun, SocketState } from './live-socket.js';

const TEXT = { binary: false } as const;

function terminateIfOpen(sock: LiveSocket): void {
  if (sock.readyState !== WebSocket.CLOSED) sock.terminate();
}

/**
 * Everything the node writes to sockets goes through here: the send-buffer bound is checked on
 * every write, and a socket written to is corked until the end of the current turn of the event
 * loop, so the frames it gets together (an ack and the sender's own copy of the message, a burst in
 * a busy room) leave in one write.
 */
export class Delivery {
  private readonly held: LiveSocket[] = [];
  private readonly release = () => {
    for (const sock of this.held) {
      sock.held = false;
      sock.stream?.uncork();
    }
    this.held.length = 0;
  };

  constructor(
    private readonly config: RealtimeConfig,
    private readonly metrics: RealtimeMetrics,
  ) {}

  private hold(sock: LiveSocket): void {
    if (sock.held) return;
    sock.held = true;
    sock.stream.cork();
    if (this.held.push(sock) === 1) setImmediate(this.release);
  }

  /** Whether the socket may be written to now; a socket whose send buffer is over the bound is cut off instead. */
  private writable(sock: LiveSocket): boolean {
    if (sock.state === SocketState.Closing || sock.readyState !== WebSocket.OPEN) return false;
    if (sock.bufferedAmount > this.config.WS_SEND_BUFFER_BYTES) {
      this.metrics.sendBufferDrops.inc();
      this.close(sock, CloseCode.slowConsumer, 'slow consumer');
      return false;
    }
    this.metrics.framesOut.count += 1;
    this.hold(sock);
    return true;
  }

  /** Sends a text frame. */
  text(sock: LiveSocket, data: string): void {
    if (this.writable(sock)) sock.send(data, TEXT);
  }

  /** Sends a ready-made frame (`textFrame`): one live event's bytes, shared by every socket that gets it. */
  wire(sock: LiveSocket, frame: Buffer): void {
    if (this.writable(sock)) sock.writeFrame(frame);
  }

  frame(sock: LiveSocket, frame: object): void {
    this.text(sock, JSON.stringify(frame));
  }

  ack(sock: LiveSocket, ref: FrameRef | undefined, d: object): void {
    this.frame(sock, ref === undefined ? { op: 'ack', d } : { op: 'ack', ref, d });
  }

  /** An ack whose `d` is JSON text already. */
  ackJson(sock: LiveSocket, ref: FrameRef | undefined, d: string): void {
    this.text(sock, ref === undefined ? `{"op":"ack","d":${d}}` : `{"op":"ack","ref":${JSON.stringify(ref)},"d":${d}}`);
  }

  /** `retryAfter`: seconds before the client should try again (with `rate_limited`). */
  error(
    sock: LiveSocket,
    ref: FrameRef | undefined,
    code: ErrorCode,
    message: string,
    errors?: { path: string; message: string }[],
    retryAfter?: number,
  ): void {
    const error = { code, message, ...(errors?.length ? { errors } : {}), ...(retryAfter ? { retryAfter } : {}) };
    this.frame(sock, ref === undefined ? { op: 'error', error } : { op: 'error', ref, error });
  }

  /** Starts the closing handshake; a peer that never answers it is destroyed after the grace period. */
  close(sock: LiveSocket, code: number, reason: string): void {
    if (sock.state === SocketState.Closing || sock.readyState >= WebSocket.CLOSING) return;
    sock.state = SocketState.Closing;
    this.metrics.closes.inc({ code: String(code) });
    sock.close(code, reason);
    setTimeout(terminateIfOpen, this.config.WS_CLOSE_GRACE_MS, sock).unref();
  }

  /** ws already sent the close frame of a protocol error (e.g. 1009); the peer gets a short while to read it. */
  abandon(sock: LiveSocket): void {
    sock.state = SocketState.Closing;
    setTimeout(terminateIfOpen, Math.min(1000, this.config.WS_CLOSE_GRACE_MS), sock).unref();
  }

  /**
   * A chat-log event (a ready-made frame) for a ready socket: held back while the chat is replayed by a sync, skipped
   * when this socket was already sent that seq, else sent.
   */
  logEvent(sock: LiveSocket, chatId: string, seq: number, frame: Buffer): void {
    if (sock.state !== SocketState.Ready) return;
    const held = sock.replaying?.get(chatId);
    if (held) {
      held.push({ seq, frame });
      return;
    }
    const run = sock.runs?.get(chatId);
    if (run && seq >= run.start && seq <= run.end) return;
    this.wire(sock, frame);
    extendRun(sock, chatId, run, seq);
  }

  /** An ephemeral or per-user event (a ready-made frame) for a ready socket. */
  event(sock: LiveSocket, frame: Buffer): void {
    if (sock.state === SocketState.Ready) this.wire(sock, frame);
  }
}

export function extendRun(sock: LiveSocket, chatId: string, run: SentRun | undefined, seq: number): void {
  if (!run) {
    (sock.runs ??= new Map()).set(chatId, { start: seq, end: seq });
  } else if (seq === run.end + 1) {
    run.end = seq;
  } else if (seq > run.end + 1) {
    // A gap: the socket will see the jump and sync; only the new run can be skipped later.
    run.start = seq;
    run.end = seq;
  }
}
