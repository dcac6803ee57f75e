import type { LiveEvent } from '@chat/contracts';
import { backoffDelay } from './backoff.js';
import { ApiError, RequestError } from './errors.js';
import {
  type ClientStats,
  type ConnectionState,
  type ReadyData,
  type ServerFrame,
  type StateDetail,
  WS_OPEN,
  type WebSocketConstructor,
  type WebSocketLike,
} from './types.js';

/** How the previous socket ended, for a resolver choosing where the next one goes. */
export interface PreviousSocket {
  url: string;
  /** Its close code (1006 when it just went away); undefined while it never closed. */
  code: number | undefined;
}

export interface ConnectionOptions {
  /** Where to connect, or a resolver asked before every socket (e.g. the least busy realtime node). */
  url: string | ((previous: PreviousSocket | undefined) => Promise<string>);
  WebSocket: WebSocketConstructor;
  authMode: 'header' | 'frame';
  accessToken: () => string | undefined;
  /** Renews the access token; returns undefined when the client holds no refresh token. */
  refresh: () => Promise<unknown> | undefined;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** From opening the socket to `ready`; slower: the socket is dropped and opened again. */
  connectTimeoutMs: number;
  requestTimeoutMs: number;
}

export interface ConnectionHooks {
  /** The socket is open (not yet ready): frames written now are handled right after `ready`. */
  opened(): void;
  frame(frame: ServerFrame, raw: string): void;
  event(event: LiveEvent): void;
  state(state: ConnectionState, detail: StateDetail): void;
}

interface Pending {
  op: string;
  socket: WebSocketLike;
  timer: ReturnType<typeof setTimeout>;
  resolve(d: Record<string, unknown>): void;
  reject(err: Error): void;
}

/** A close code with no close frame behind it (the connection just went away). */
const ABNORMAL = 1006;
const HEARTBEAT_TIMEOUT = 4000;
const UNAUTHORIZED = 4001;
const RATE_LIMITED = 4029;

/**
 * One logical connection over many sockets: authenticates, keeps the heartbeat, matches answers
 * to requests by `ref`, and opens a new socket after every close (jittered exponential backoff;
 * a 4001 first renews the access token once).
 */
export class Connection {
  state: ConnectionState = 'closed';
  socket: WebSocketLike | undefined;
  private stopped = true;
  private attempt = 0;
  private opens = 0;
  private refs = 0;
  private refreshedSinceReady = false;
  private lastFrameAt = 0;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly pending = new Map<string, Pending>();
  private readonly readyWaiters = new Set<{ resolve(d: ReadyData): void; reject(err: Error): void }>();
  private ready: ReadyData | undefined;
  /** Why the connection gave up, for callers that come after. */
  private failure: Error | undefined;
  private previous: PreviousSocket | undefined;
  /** The URL the current socket was opened to. */
  url: string | undefined;

  constructor(
    private readonly opts: ConnectionOptions,
    private readonly hooks: ConnectionHooks,
    private readonly stats: ClientStats,
  ) {}

  /** Starts connecting; resolves with the first `ready`, rejects if the client gives up before it. */
  start(): Promise<ReadyData> {
    if (this.stopped) {
      this.stopped = false;
      this.failure = undefined;
      this.open();
    }
    return this.whenReady(Number.POSITIVE_INFINITY, 'connect');
  }

  /** Closes for good: pending requests fail with `client_closed`. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.clearTimers();
    const failure = () => new RequestError('client_closed', 'the client was closed', 'connect');
    for (const w of this.readyWaiters) w.reject(failure());
    this.readyWaiters.clear();
    const sock = this.socket;
    if (sock) {
      this.release(sock, 1000, 'client closed');
      sock.close(1000, 'client closed');
    }
    this.setState('closed', { code: 1000, reason: 'client closed', willReconnect: false });
  }

  /** Drops the current socket without a closing handshake (as a network failure would) and reconnects. */
  drop(code = ABNORMAL, reason = 'dropped'): void {
    const sock = this.socket;
    if (!sock) return;
    detach(sock);
    if (sock.terminate) sock.terminate();
    else sock.close(HEARTBEAT_TIMEOUT, reason);
    this.closed(sock, code, reason);
  }

  /**
   * Sends an op and resolves with its ack's `d` (rejects with a `RequestError`). Waits for `ready`
   * unless `early` (then the socket only has to be open: the server holds it until ready).
   */
  async request(op: string, d: unknown, timeoutMs = this.opts.requestTimeoutMs, early = false): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    if (!early) await this.whenReady(deadline, op);
    const sock = this.socket;
    if (!sock || sock.readyState !== WS_OPEN) throw new RequestError('disconnected', 'not connected', op);
    this.refs += 1;
    const ref = `c${this.refs}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => {
          this.pending.delete(ref);
          reject(new RequestError('timeout', `no answer to ${op}`, op));
        },
        Math.max(0, deadline - Date.now()),
      );
      this.pending.set(ref, { op, socket: sock, timer, resolve, reject });
      sock.send(JSON.stringify(d === undefined ? { op, ref } : { op, ref, d }));
    });
  }

  /** The `ready` data of the latest socket that got ready. */
  get readyData(): ReadyData | undefined {
    return this.ready;
  }

  private whenReady(deadline: number, op: string): Promise<ReadyData> {
    if (this.state === 'ready' && this.ready) return Promise.resolve(this.ready);
    if (this.stopped) return Promise.reject(this.failure ?? new RequestError('client_closed', 'the client is not connected', op));
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (d: ReadyData) => {
          clearTimeout(timer);
          resolve(d);
        },
        reject: (err: Error) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      const timer = Number.isFinite(deadline)
        ? setTimeout(
            () => {
              this.readyWaiters.delete(waiter);
              reject(new RequestError('timeout', `not connected in time for ${op}`, op));
            },
            Math.max(0, deadline - Date.now()),
          )
        : undefined;
      this.readyWaiters.add(waiter);
    });
  }

  private open(): void {
    this.timer = undefined;
    const token = this.opts.accessToken();
    if (!token) return this.giveUp(UNAUTHORIZED, 'no access token', new RequestError('unauthorized', 'no access token', 'connect'));
    if (this.opens > 0) this.stats.reconnects += 1;
    this.opens += 1;
    this.setState('connecting', {});
    const { url } = this.opts;
    if (typeof url === 'string') return this.openAt(url, token);
    const opening = this.opens;
    url(this.previous).then(
      (resolved) => {
        // Stopped, or another attempt began, while the resolver ran.
        if (!this.stopped && opening === this.opens && !this.socket) this.openAt(resolved, token);
      },
      () => {
        if (this.stopped || opening !== this.opens) return;
        this.setState('closed', { code: ABNORMAL, reason: 'no realtime endpoint', willReconnect: true });
        this.scheduleReconnect();
      },
    );
  }

  private openAt(url: string, token: string): void {
    let sock: WebSocketLike;
    try {
      sock =
        this.opts.authMode === 'header'
          ? new this.opts.WebSocket(url, undefined, { headers: { authorization: `Bearer ${token}` } })
          : new this.opts.WebSocket(url);
    } catch (err) {
      this.previous = { url, code: ABNORMAL };
      this.setState('closed', { code: ABNORMAL, reason: String(err), willReconnect: true });
      return this.scheduleReconnect();
    }
    this.url = url;
    this.previous = { url, code: undefined };
    this.socket = sock;
    this.lastFrameAt = Date.now();
    this.timer = setTimeout(() => this.drop(HEARTBEAT_TIMEOUT, 'no ready in time'), this.opts.connectTimeoutMs);
    sock.onopen = () => {
      if (this.opts.authMode === 'frame') sock.send(JSON.stringify({ op: 'auth', d: { token } }));
      this.hooks.opened();
    };
    sock.onmessage = (ev) => this.received(typeof ev.data === 'string' ? ev.data : String(ev.data));
    sock.onclose = (ev) => this.closed(sock, ev.code, ev.reason);
    // A close event always follows an error.
    sock.onerror = () => {};
  }

  private received(raw: string): void {
    this.lastFrameAt = Date.now();
    let frame: ServerFrame;
    try {
      frame = JSON.parse(raw) as ServerFrame;
    } catch {
      return;
    }
    this.stats.framesReceived += 1;
    this.hooks.frame(frame, raw);
    if (frame.op === 'ready') this.becameReady(frame.d);
    else if (frame.op === 'event') this.hooks.event(frame);
    else if ((frame.op === 'ack' || frame.op === 'error') && frame.ref !== undefined) this.answer(String(frame.ref), frame);
  }

  private answer(ref: string, frame: Extract<ServerFrame, { op: 'ack' | 'error' }>): void {
    const pending = this.pending.get(ref);
    if (!pending) return;
    this.pending.delete(ref);
    clearTimeout(pending.timer);
    if (frame.op === 'ack') pending.resolve(frame.d);
    else pending.reject(new RequestError(frame.error.code, frame.error.message, pending.op, frame.error.errors, frame.error.retryAfter));
  }

  private becameReady(d: ReadyData): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.ready = d;
    this.attempt = 0;
    this.refreshedSinceReady = false;
    this.setState('ready', {});
    const interval = d.heartbeatIntervalMs;
    this.heartbeat = setInterval(() => this.beat(interval), interval);
    for (const w of this.readyWaiters) w.resolve(d);
    this.readyWaiters.clear();
  }

  private beat(interval: number): void {
    const sock = this.socket;
    if (!sock) return;
    // The server answers every ping: silence for two intervals means the connection is gone.
    if (Date.now() - this.lastFrameAt > 2 * interval + 1000) return this.drop(HEARTBEAT_TIMEOUT, 'heartbeat timeout');
    if (sock.readyState === WS_OPEN) sock.send('{"op":"ping"}');
  }

  private closed(sock: WebSocketLike, code: number, reason: string): void {
    if (sock !== this.socket) return;
    if (this.previous) this.previous.code = code;
    this.release(sock, code, reason);
    if (this.stopped) return;
    if (code === UNAUTHORIZED) {
      void this.reauthenticate(code, reason);
      return;
    }
    this.setState('closed', { code, reason, willReconnect: true });
    this.scheduleReconnect(code === RATE_LIMITED ? 3 : 0);
  }

  /** Forgets the socket and fails the requests that were waiting on it. */
  private release(sock: WebSocketLike, code: number, reason: string): void {
    detach(sock);
    this.socket = undefined;
    this.clearTimers();
    for (const [ref, p] of this.pending) {
      if (p.socket !== sock) continue;
      this.pending.delete(ref);
      clearTimeout(p.timer);
      p.reject(new RequestError('disconnected', `socket closed (${code} ${reason})`.trim(), p.op));
    }
  }

  private async reauthenticate(code: number, reason: string): Promise<void> {
    const refreshed = this.refreshedSinceReady ? undefined : this.opts.refresh();
    if (!refreshed) return this.giveUp(code, reason, new RequestError('unauthorized', reason || 'unauthorized', 'connect'));
    this.setState('closed', { code, reason, willReconnect: true });
    try {
      await refreshed;
    } catch (err) {
      if (this.stopped) return;
      if (err instanceof ApiError && !err.retryable) return this.giveUp(code, reason, err);
      return this.scheduleReconnect();
    }
    this.refreshedSinceReady = true;
    if (!this.stopped) this.open();
  }

  private giveUp(code: number, reason: string, error: Error): void {
    this.stopped = true;
    this.failure = error;
    this.clearTimers();
    for (const w of this.readyWaiters) w.reject(error);
    this.readyWaiters.clear();
    this.setState('closed', { code, reason, willReconnect: false, error });
  }

  private scheduleReconnect(extraSteps = 0): void {
    this.attempt = Math.max(this.attempt, extraSteps) + 1;
    const delay = backoffDelay(this.attempt - 1, this.opts.reconnectMinMs, this.opts.reconnectMaxMs);
    this.timer = setTimeout(() => this.open(), delay);
  }

  private clearTimers(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.timer) clearTimeout(this.timer);
    this.heartbeat = undefined;
    this.timer = undefined;
  }

  private setState(state: ConnectionState, detail: StateDetail): void {
    this.state = state;
    this.hooks.state(state, detail);
  }
}

function detach(sock: WebSocketLike): void {
  sock.onopen = null;
  sock.onmessage = null;
  sock.onclose = null;
  // Keep swallowing errors: `ws` throws an unhandled 'error' without a listener.
  sock.onerror = () => {};
}
