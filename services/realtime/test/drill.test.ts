import { type RunningService, type Stack, type TestUser, waitFor } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { newGroup, newUsers } from './helpers.js';
import { startRealtimeNode, startRealtimeOn, startRealtimeStack, wsUrl } from './stack.js';
import { type Frame, WsClient } from './ws-client.js';

const MESSAGES = 1500;
const DROP_EVERY = 250;
const RESTART_AFTER = 700;

let stack: Stack;
let senderNode: RunningService;
let restarted: RunningService | undefined;
const env = { WS_OPS_PER_SECOND: '2000', WS_OPS_BURST: '2000', RPC_TIMEOUT_MS: '10000' };
beforeAll(async () => {
  stack = await startRealtimeStack({ message: true, env });
  senderNode = await startRealtimeNode(stack, env);
});
afterAll(async () => {
  WsClient.terminateAll();
  await restarted?.stop();
  await senderNode?.stop();
  await stack?.stop();
});

/**
 * A client that keeps a chat's messages by seq, resumes from the last seq it holds without a gap,
 * and sends `sync` the moment its socket opens (before `ready`, so nothing slips in between).
 */
class Receiver {
  readonly held = new Map<number, Frame>();
  duplicates = 0;
  frames = 0;
  connects = 0;
  /** Frames that came after a higher seq on the same socket. */
  outOfOrder = 0;
  private lastOnSocket = 0;
  private ws: WebSocket | undefined;
  private finished = false;
  private readonly acks: Frame[] = [];

  constructor(
    private readonly url: string,
    private readonly user: TestUser,
    private readonly chatId: string,
    public contiguous: number,
  ) {}

  async connect(): Promise<void> {
    for (;;) {
      try {
        await this.open();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  private open(): Promise<void> {
    const ws = new WebSocket(this.url, { headers: { authorization: `Bearer ${this.user.accessToken}` } });
    return new Promise((resolve, reject) => {
      ws.once('unexpected-response', () => reject(new Error('refused')));
      ws.once('error', reject);
      ws.once('open', () => {
        this.ws = ws;
        this.connects += 1;
        this.lastOnSocket = 0;
        ws.send(JSON.stringify({ op: 'sync', ref: `sync-${this.connects}`, d: { chats: { [this.chatId]: this.contiguous } } }));
        ws.on('message', (data) => this.onFrame(JSON.parse(data.toString())));
        ws.on('close', () => {
          if (this.ws === ws && !this.finished) void this.connect();
        });
        resolve();
      });
    });
  }

  private onFrame(f: Frame): void {
    if (f.op === 'ack') this.acks.push(f);
    if (f.op !== 'event' || f.chatId !== this.chatId || typeof f.seq !== 'number') return;
    this.frames += 1;
    if (f.seq <= this.lastOnSocket) this.outOfOrder += 1;
    this.lastOnSocket = Math.max(this.lastOnSocket, f.seq);
    if (this.held.has(f.seq)) this.duplicates += 1;
    else this.held.set(f.seq, f);
    while (this.held.has(this.contiguous + 1)) this.contiguous += 1;
  }

  /** Drops the connection the way a network does (no close handshake). */
  drop(): void {
    this.ws?.terminate();
  }

  async finalSync(): Promise<Frame> {
    await waitFor(() => (this.ws?.readyState === WebSocket.OPEN ? true : undefined), 10_000, 'an open socket');
    const ref = 'final';
    this.ws!.send(JSON.stringify({ op: 'sync', ref, d: { chats: { [this.chatId]: this.contiguous } } }));
    return waitFor(() => this.acks.find((a) => a.ref === ref), 10_000, 'the final sync ack');
  }

  finish(): void {
    this.finished = true;
    this.ws?.close();
  }
}

describe('reliability drill', () => {
  it('when a sender keeps sending while the receiver is dropped every few hundred messages and its node restarts, then after a final sync it holds every message exactly once in seq order', async () => {
    const [sender, receiver, ...others] = await newUsers(stack, 4);
    const chatId = await newGroup(stack, sender!, [receiver!, ...others]);
    const out = await WsClient.ready(wsUrl(senderNode.url), sender!.accessToken);
    const base = (await out.ack('sync', { chats: { [chatId]: 0 } })).chats[chatId].lastSeq as number;

    const gatewayNodePort = Number(new URL(stack.services.realtime!.url).port);
    const inbox = new Receiver(wsUrl(stack.gateway.url), receiver!, chatId, base);
    await inbox.connect();

    const sent = new Map<number, string>();
    let drops = 0;
    let restartedAt = -1;
    const watchdog = (async () => {
      let nextDrop = DROP_EVERY;
      while (sent.size < MESSAGES) {
        if (inbox.held.size >= nextDrop) {
          nextDrop += DROP_EVERY;
          drops += 1;
          inbox.drop();
        }
        if (restartedAt < 0 && inbox.held.size >= RESTART_AFTER) {
          restartedAt = inbox.held.size;
          await stack.services.realtime!.stop();
          restarted = await startRealtimeOn(stack, gatewayNodePort, env);
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    })();

    const inFlight = 8;
    let next = 0;
    const worker = async () => {
      while (next < MESSAGES) {
        next += 1;
        const n = next;
        // A client retries a send that failed (e.g. timed out) with the same clientMessageId.
        for (let attempt = 1; ; attempt++) {
          const answer = await out.request('message.send', { chatId, clientMessageId: `drill-${n}`, text: `drill ${n}` }, 20_000);
          if (answer.op === 'ack') {
            sent.set(answer.d.message.seq, answer.d.message.id);
            break;
          }
          if (attempt === 5) throw new Error(`send ${n} failed: ${JSON.stringify(answer)}`);
        }
      }
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: inFlight }, worker));
    const sendSeconds = (Date.now() - started) / 1000;
    await watchdog;

    const ack = await inbox.finalSync();
    inbox.finish();
    const last = Math.max(...sent.keys());
    expect(ack.d.chats[chatId]).toEqual({ lastSeq: last, hasMore: false });

    const heldSeqs = [...inbox.held.keys()].sort((a, b) => a - b);
    const heldIds = heldSeqs.map((seq) => inbox.held.get(seq)!.d.message.id);
    const sentInOrder = [...sent.entries()].sort((a, b) => a[0] - b[0]);
    expect(sent.size).toBe(MESSAGES);
    expect(heldSeqs).toEqual(Array.from({ length: last - base }, (_, i) => base + 1 + i));
    expect(heldIds).toEqual(sentInOrder.map(([, id]) => id));
    expect(new Set(heldIds).size).toBe(MESSAGES);
    expect(restartedAt).toBeGreaterThan(0);
    expect(drops).toBeGreaterThanOrEqual(3);
    expect(inbox.duplicates).toBe(0);
    expect(inbox.outOfOrder).toBe(0);

    console.log(
      `reliability drill: sent ${MESSAGES} in ${sendSeconds.toFixed(1)} s; receiver connected ${inbox.connects} times (${drops} drops, node restarted at ${restartedAt} held); ` +
        `frames received ${inbox.frames}, duplicate frames ${inbox.duplicates}, out-of-order frames ${inbox.outOfOrder}; held ${inbox.held.size} unique, 0 missing, in seq order`,
    );
  }, 180_000);
});
