// The load phase of the fan-out benchmark: clients in rooms, a message rate, and what each
// member's socket received (latency from the sender's clock: everything runs in this process).
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { connect } from '@nats-io/transport-node';
import WebSocket from 'ws';
import { type BenchStack, cpuSeconds } from './stack.js';

export interface User {
  id: string;
  token: string;
  chatId: string;
}

export interface LoadOptions {
  stack: BenchStack;
  users: User[];
  roomSize: number;
  rate: number;
  seconds: number;
  via: 'gateway' | 'direct';
  /** `ops`: clients send `message.send` (the whole path); `nats`: frames are published on `rt.chat.<id>` as the message service would (the realtime node alone). */
  source: 'ops' | 'nats';
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `fn` for 0..count-1 with at most `width` at once. */
export async function pool<T>(count: number, width: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, count) }, async () => {
      while (next < count) {
        const i = next++;
        out[i] = await fn(i);
      }
    }),
  );
  return out;
}

/** Opens a socket and resolves once `ready` arrived; `onFrame` gets every later frame. */
export function openReady(url: string, token: string, onFrame?: (frame: any) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false });
    ws.once('error', reject);
    ws.once('close', (code) => reject(new Error(`closed with ${code} before ready`)));
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.op === 'ready') resolve(ws);
      else onFrame?.(frame);
    });
  });
}

export const pingAll = (sockets: WebSocket[]) => setInterval(() => sockets.forEach((s) => s.readyState === WebSocket.OPEN && s.send('{"op":"ping"}')), 20_000);

/** Busy CPU time of the whole machine so far, in clock ticks (from /proc/stat). */
function machineTicks(): number {
  const [, user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
  return user! + nice! + system! + irq! + softirq! + steal!;
}

const percentile = (sorted: Float64Array, p: number) => +(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0).toFixed(1);

export async function runLoad(o: LoadOptions) {
  const url = o.via === 'direct' ? `${o.stack.realtimeUrl.replace('http', 'ws')}/ws` : `${o.stack.gatewayUrl.replace('http', 'ws')}/ws`;
  const latencies: number[] = [];
  const sentAt = new Map<string, number>();
  const committed = new Set<string>();
  const reached = new Map<string, number>();
  const errors: Record<string, number> = {};
  let duplicates = 0;
  let outOfOrder = 0;
  const clients = await pool(o.users.length, 50, async (i) => {
    const seen = new Set<number>();
    let last = 0;
    const ws = await openReady(url, o.users[i]!.token, (f) => {
      if (f.op === 'ack') committed.add(f.ref);
      else if (f.op === 'error') errors[f.error.code] = (errors[f.error.code] ?? 0) + 1;
      else if (f.t === 'message.created') {
        const [, sendId, at] = (f.d.message.text as string).split('|') as [string, string, string];
        latencies.push(performance.now() - Number(at));
        committed.add(sendId);
        if (seen.has(f.seq)) duplicates += 1;
        else reached.set(sendId, (reached.get(sendId) ?? 0) + 1);
        seen.add(f.seq);
        if (f.seq <= last) outOfOrder += 1;
        last = Math.max(last, f.seq);
      }
    });
    return { ws, user: o.users[i]! };
  });
  const nc = o.source === 'nats' ? await connect({ servers: o.stack.natsUrl }) : undefined;
  const chatSeq = new Map<string, number>();
  const send = (n: number) => {
    const c = clients[n % clients.length]!;
    const id = String(n);
    const text = `bench|${id}|${performance.now()}`;
    sentAt.set(id, performance.now());
    if (!nc) {
      c.ws.send(JSON.stringify({ op: 'message.send', ref: id, d: { chatId: c.user.chatId, clientMessageId: `b${id}`, text } }));
      return;
    }
    const seq = (chatSeq.get(c.user.chatId) ?? 0) + 1;
    chatSeq.set(c.user.chatId, seq);
    committed.add(id);
    nc.publish(`${o.stack.natsPrefix}rt.chat.${c.user.chatId}`, JSON.stringify({ op: 'event', t: 'message.created', chatId: c.user.chatId, seq, d: { message: { text } } }));
  };

  const pinger = pingAll(clients.map((c) => c.ws));
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const cpuBefore = Object.fromEntries(Object.entries(o.stack.pids).map(([n, pid]) => [n, cpuSeconds(pid)]));
  const benchBefore = process.cpuUsage();
  const machineBefore = machineTicks();
  const started = performance.now();
  let sent = 0;
  while (performance.now() - started < o.seconds * 1000) {
    const due = Math.floor((o.rate * (performance.now() - started)) / 1000);
    for (; sent < due; sent++) send(sent);
    await sleep(2);
  }
  const windowS = (performance.now() - started) / 1000;
  const cores: Record<string, number> = Object.fromEntries(Object.entries(o.stack.pids).map(([n, pid]) => [n, +((cpuSeconds(pid) - cpuBefore[n]!) / windowS).toFixed(2)]));
  const bench = process.cpuUsage(benchBefore);
  cores.benchClient = +((bench.user + bench.system) / 1e6 / windowS).toFixed(2);
  cores.machine = +((machineTicks() - machineBefore) / 100 / windowS).toFixed(2);
  const deliveredInWindow = latencies.length;
  for (let quiet = 0, count = -1; quiet < 4; ) {
    const now = latencies.length + committed.size;
    quiet = now === count ? quiet + 1 : 0;
    count = now;
    await sleep(500);
  }
  lag.disable();
  clearInterval(pinger);
  for (const c of clients) c.ws.close();
  await nc?.drain();

  const sorted = Float64Array.from(latencies).sort();
  let lost = 0;
  for (const id of committed) lost += o.roomSize - (reached.get(id) ?? 0);
  return {
    source: o.source,
    via: o.via,
    users: o.users.length,
    roomSize: o.roomSize,
    seconds: +windowS.toFixed(1),
    sent,
    sentPerSecond: Math.round(sent / windowS),
    committed: committed.size,
    errors,
    deliveriesPerSecond: Math.round(deliveredInWindow / windowS),
    latencyMs: { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: percentile(sorted, 100) },
    lost,
    duplicated: duplicates,
    outOfOrder,
    cores,
    benchClientLoopDelayP99Ms: +(lag.percentile(99) / 1e6).toFixed(1),
  };
}
