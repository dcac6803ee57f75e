// One fan-out run: clients seated in rooms, an offered message rate, and what each member's socket
// received. Latency runs from each message's scheduled send time (a sender that falls behind
// cannot hide the queueing) to its arrival on a member's socket; everything runs in this process,
// on one clock.
import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { type Usage, startMeter } from './meter.js';
import { BenchSocket } from './bench-socket.js';
import { readDelivery } from './frames.js';
import type { BenchStack } from './stack.js';
import { connectNats, pool } from '@chat/testkit';
import type { Seat } from './users.js';

export interface LoadOptions {
  stack: BenchStack;
  seats: Seat[];
  roomSize: number;
  rate: number;
  seconds: number;
  via: 'gateway' | 'direct';
  /** `ops`: clients send `message.send` (the whole path); `nats`: frames are published on `rt.chat.<id>` as the message service would (the realtime node alone). */
  source: 'ops' | 'nats';
}

export interface LoadResult {
  source: LoadOptions['source'];
  via: LoadOptions['via'];
  users: number;
  roomSize: number;
  seconds: number;
  offeredPerSecond: number;
  /** Sends acknowledged (committed) per second of the window. */
  admittedPerSecond: number;
  sent: number;
  committed: number;
  /** Sends answered with an error, by code (`rate_limited` is an explicit refusal). */
  errors: Record<string, number>;
  /** Sends neither acknowledged nor refused by the end of the run. */
  unanswered: number;
  /** Sockets the server closed during the run, by close code. */
  closed: Record<string, number>;
  errorRate: number;
  deliveriesPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  lost: number;
  duplicated: number;
  outOfOrder: number;
  usage: Usage;
  loadGeneratorLoopDelayP99Ms: number;
  /** The worst latency (ms) of the messages scheduled in each second: where a tail came from. */
  worstBySecondMs: number[];
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Opens a socket and resolves once `ready` arrived; `onData` gets every later frame's bytes. */
export function openReady(url: string, token: string, onData: (data: Buffer) => void = () => {}): Promise<BenchSocket> {
  return new Promise((resolve, reject) => {
    let ready = false;
    const beforeReady = (data: Buffer, ws: BenchSocket) => {
      if (JSON.parse(data.toString()).op !== 'ready') return;
      ready = true;
      ws.onMessage = onData;
      resolve(ws);
    };
    BenchSocket.connect(url, { authorization: `Bearer ${token}` }, beforeReady).then((ws) => {
      if (!ready) ws.onClose = (code) => reject(new Error(`closed with ${code} before ready`));
    }, reject);
  });
}

const PING_EVERY_MS = 20_000;
const PING_SLICES = 20;
/**
 * Pings every socket once per 20 s (the protocol wants one within each heartbeat interval), a
 * twentieth of them each second: clients that connected at different times ping at different
 * times, and 1,000 pings in one millisecond would be a burst no real audience makes.
 */
export function pingAll(sockets: BenchSocket[]): NodeJS.Timeout {
  let slice = 0;
  return setInterval(() => {
    for (let i = slice; i < sockets.length; i += PING_SLICES) sockets[i]!.send('{"op":"ping"}');
    slice = (slice + 1) % PING_SLICES;
  }, PING_EVERY_MS / PING_SLICES);
}

const percentile = (sorted: Float64Array, p: number) => +(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0).toFixed(1);

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const url = o.via === 'direct' ? `${o.stack.realtimeUrl.replace('http', 'ws')}/ws` : `${o.stack.gatewayUrl.replace('http', 'ws')}/ws`;
  const latencies: number[] = [];
  /** The worst latency of the messages scheduled in each second of the run. */
  const worstBySecond: number[] = [];
  let started = 0;
  // Per send number (the `ref` and the text of message n): committed, answered, and how many members it reached.
  const capacity = Math.ceil(o.rate * o.seconds * 1.25) + 1024;
  const committed = new Uint8Array(capacity);
  const answered = new Uint8Array(capacity);
  const reached = new Uint16Array(capacity);
  let answeredCount = 0;
  const answer = (n: number) => {
    if (n >= 0 && n < capacity && !answered[n]) {
      answered[n] = 1;
      answeredCount += 1;
    }
  };
  const errors: Record<string, number> = {};
  const closed: Record<string, number> = {};
  let closing = false;
  let acksInWindow = 0;
  let inWindow = true;
  let duplicates = 0;
  let outOfOrder = 0;
  const clients = await pool(o.seats.length, 50, async (i) => {
    // Seqs this socket skipped over and may still get late: anything else at or below `last` is a duplicate.
    const missing = new Set<number>();
    let last = 0;
    const ws = await openReady(url, o.seats[i]!.token, (data) => {
      const delivery = readDelivery(data);
      if (delivery) {
        const { seq, sendId, scheduledAt } = delivery;
        const latency = performance.now() - scheduledAt;
        latencies.push(latency);
        const second = Math.floor((scheduledAt - started) / 1000);
        if (!(worstBySecond[second]! >= latency)) worstBySecond[second] = latency;
        committed[sendId] = 1;
        if (seq > last) {
          for (let s = last + 1; s < seq && last > 0; s++) missing.add(s);
          last = seq;
          reached[sendId]! += 1;
        } else if (missing.delete(seq)) {
          outOfOrder += 1;
          reached[sendId]! += 1;
        } else {
          duplicates += 1;
        }
        return;
      }
      const f = JSON.parse(data.toString());
      if (f.op === 'ack') {
        committed[Number(f.ref)] = 1;
        answer(Number(f.ref));
        if (inWindow) acksInWindow += 1;
      } else if (f.op === 'error') {
        errors[f.error.code] = (errors[f.error.code] ?? 0) + 1;
        if (f.ref !== undefined) answer(Number(f.ref));
      } else if (f.t === 'message.created') {
        // Read as JSON but not by readDelivery: counted as a failure of the run, never skipped silently.
        errors.unreadable_delivery = (errors.unreadable_delivery ?? 0) + 1;
      }
    });
    ws.onClose = (code) => {
      if (!closing) closed[code] = (closed[code] ?? 0) + 1;
    };
    return { ws, seat: o.seats[i]! };
  });
  const nc = o.source === 'nats' ? await connectNats(o.stack.natsUrl) : undefined;
  const chatSeq = new Map<string, number>();
  // Unique across runs: the same user sending the same clientMessageId again would get the stored message back.
  const run = randomUUID();
  const send = (n: number, scheduledAt: number) => {
    const c = clients[n % clients.length]!;
    const id = String(n);
    const text = `bench|${id}|${scheduledAt}`;
    if (!nc) {
      c.ws.send(JSON.stringify({ op: 'message.send', ref: id, d: { chatId: c.seat.chatId, clientMessageId: `${run}-${id}`, text } }));
      return;
    }
    const seq = (chatSeq.get(c.seat.chatId) ?? 0) + 1;
    chatSeq.set(c.seat.chatId, seq);
    committed[n] = 1;
    answer(n);
    nc.publish(
      `${o.stack.natsPrefix}rt.chat.${c.seat.chatId}`,
      JSON.stringify({ op: 'event', t: 'message.created', chatId: c.seat.chatId, seq, d: { message: { text } } }),
    );
  };

  const pinger = pingAll(clients.map((c) => c.ws));
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const meter = startMeter(o.stack.pids);
  started = performance.now();
  const intervalMs = 1000 / o.rate;
  let sent = 0;
  while (performance.now() - started < o.seconds * 1000) {
    const due = Math.floor((performance.now() - started) / intervalMs);
    for (; sent < due; sent++) send(sent, started + sent * intervalMs);
    await sleep(2);
  }
  const windowS = (performance.now() - started) / 1000;
  inWindow = false;
  const usage = meter.stop();
  const deliveredInWindow = latencies.length;
  // Then until nothing more arrives for 2 s: late deliveries count, in the latencies too.
  for (let quiet = 0, count = -1; quiet < 4; ) {
    const now = latencies.length + answeredCount;
    quiet = now === count ? quiet + 1 : 0;
    count = now;
    await sleep(500);
  }
  lag.disable();
  clearInterval(pinger);
  closing = true;
  for (const c of clients) c.ws.close();
  await nc?.drain();

  const sorted = Float64Array.from(latencies).sort();
  let lost = 0;
  let committedCount = 0;
  for (let n = 0; n < capacity; n++) {
    if (!committed[n]) continue;
    committedCount += 1;
    lost += o.roomSize - reached[n]!;
  }
  const failed = Object.values(errors).reduce((a, b) => a + b, 0);
  const unanswered = sent - answeredCount;
  return {
    source: o.source,
    via: o.via,
    users: o.seats.length,
    roomSize: o.roomSize,
    seconds: +windowS.toFixed(1),
    offeredPerSecond: Math.round(sent / windowS),
    admittedPerSecond: Math.round((nc ? sent : acksInWindow) / windowS),
    sent,
    committed: committedCount,
    errors,
    unanswered,
    closed,
    errorRate: sent ? +((failed + unanswered) / sent).toFixed(4) : 0,
    deliveriesPerSecond: Math.round(deliveredInWindow / windowS),
    latencyMs: { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: percentile(sorted, 100) },
    lost,
    duplicated: duplicates,
    outOfOrder,
    usage,
    loadGeneratorLoopDelayP99Ms: +(lag.percentile(99) / 1e6).toFixed(1),
    worstBySecondMs: Array.from(worstBySecond, (ms) => Math.round(ms ?? 0)),
  };
}
