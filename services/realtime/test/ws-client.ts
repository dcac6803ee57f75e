import { waitFor } from '@chat/testkit';
import WebSocket from 'ws';

export type Frame = Record<string, any>;

export interface OpenOptions {
  token?: string;
  headers?: Record<string, string>;
  origin?: string;
}

/** A protocol client for tests: records every frame, answers nothing on its own. */
export class WsClient {
  private static readonly open_ = new Set<WsClient>();
  readonly frames: Frame[] = [];
  /** Every text frame as it arrived, unparsed. */
  readonly raw: string[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private refs = 0;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.raw.push(data.toString());
      this.frames.push(JSON.parse(data.toString()));
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on('error', () => {});
    WsClient.open_.add(this);
    void this.closed.then(() => WsClient.open_.delete(this));
  }

  /** Ends every socket a test left open (before the stack stops). */
  static terminateAll(): void {
    for (const client of WsClient.open_) client.ws.terminate();
  }

  /** Opens the socket (resolves once the upgrade succeeded; rejects with the HTTP status otherwise). */
  static open(url: string, opts: OpenOptions = {}): Promise<WsClient> {
    const headers = { ...opts.headers, ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) };
    const ws = new WebSocket(url, { headers, origin: opts.origin });
    const client = new WsClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  /** Opens with the token in the header and waits for `ready`. */
  static async ready(url: string, token: string): Promise<WsClient> {
    const client = await WsClient.open(url, { token });
    await client.next((f) => f.op === 'ready');
    return client;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Sends an op with a fresh ref and waits for its `ack` or `error`. */
  async request(op: string, d?: unknown, timeoutMs = 5000): Promise<Frame> {
    this.refs += 1;
    const ref = `r-${this.refs}`;
    this.send(d === undefined ? { op, ref } : { op, ref, d });
    return this.next((f) => ['ack', 'error', 'pong'].includes(f.op) && f.ref === ref, timeoutMs, `answer to ${op}`);
  }

  /** Like `request`, but fails unless the answer is an ack; returns its `d`. */
  async ack(op: string, d?: unknown, timeoutMs = 5000): Promise<Frame> {
    const answer = await this.request(op, d, timeoutMs);
    if (answer.op !== 'ack') throw new Error(`${op} answered ${JSON.stringify(answer)}`);
    return answer.d;
  }

  /** The first recorded frame matching `match` (waiting for it). */
  next(match: (f: Frame) => boolean, timeoutMs = 5000, what = 'frame'): Promise<Frame> {
    return waitFor(() => this.frames.find(match), timeoutMs, what);
  }

  events(t?: string, chatId?: string): Frame[] {
    return this.frames.filter((f) => f.op === 'event' && (t === undefined || f.t === t) && (chatId === undefined || f.chatId === chatId));
  }

  async closeCode(timeoutMs = 5000): Promise<number> {
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('socket did not close')), timeoutMs));
    return (await Promise.race([this.closed, timeout])).code;
  }

  close(): void {
    this.ws.close();
  }
}

/** Waits a little for anything that should not arrive (the stack is local: 300 ms is plenty). */
export const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));
