// The fan-out benchmark suite. Starts the stack as separate processes (or targets a running one,
// see stack.ts), makes its users and rooms through the API, then runs, as BENCH_PRESETS selects:
//   idle      BENCH_IDLE_SOCKETS sockets, connected and pinging: CPU of every process over
//             BENCH_IDLE_MEASURE_S (target ≤ 0.1 core in all) and memory per socket across ours
//             (target ≤ 20 KB)
//   rooms10   1,000 users in rooms of 10, 2,000 msg/s                 target 0 refused, 0 lost, p99 ≤ 100 ms
//   rooms10gateway  the same through the gateway's /ws proxy (the single-port path)
//   rooms100  1,000 users in rooms of 100, 100 msg/s                  target p50 ≤ 15 ms, p99 ≤ 50 ms, everything
//             (ours, PostgreSQL, NATS, Redis) ≤ 0.6 core
//   oneRoom   one room of 100, 200 msg/s                              target p99 ≤ 50 ms
//   ramp10    rooms of 10, the rate raised step by step until p99 passes 200 ms, errors pass 0.1 % or
//             anything is lost: the knee is the last rate that held
//   ramp100   the same in rooms of 100: the fan-out ceiling in deliveries/s (target ≥ 30,000)
//   overload  rooms of 10 at twice the knee: admitted p99 ≤ 200 ms, the excess refused explicitly,
//             admitted throughput holding up (no collapse)
//   custom    BENCH_USERS, BENCH_ROOM_SIZE, BENCH_RATE, BENCH_SOURCE (ops|nats), BENCH_VIA (gateway|direct)
// Every service runs, search indexing and media included, as `npm start` runs them (BENCH_LIGHT=1:
// without search and media, a lighter configuration the results are labelled with). Clients
// connect straight to the realtime node, as @chat/client does after `GET /realtime` (the gateway
// path is its own preset). Messages are sent as `message.send` over the sockets (the whole path:
// realtime, message service, PostgreSQL commit, back), so every message is
// committed before it is delivered. A warm-up of BENCH_WARMUP_S (5 s) at 500 msg/s comes first,
// unreported. Prints one line per run and a last line of JSON.
import { cpus, loadavg } from 'node:os';
import type { BenchSocket } from './bench-socket.js';
import { type LoadOptions, type LoadResult, openReady, pingAll, runLoad, sleep } from './load.js';
import { rssBytes, startMeter } from './meter.js';
import { type BenchStack, LIGHT, startBenchStack, targetStack } from './stack.js';
import { pool } from '@chat/testkit';
import { type Seat, type User, mintUsers, seatInRooms } from './users.js';

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const list = (name: string, fallback: number[]) => (process.env[name] ? process.env[name]!.split(',').map(Number) : fallback);
const DURATION_S = num('BENCH_DURATION_S', 20);
const STEP_S = num('BENCH_RAMP_STEP_S', 10);
const IDLE = num('BENCH_IDLE_SOCKETS', 10_000);
const IDLE_MEASURE_S = num('BENCH_IDLE_MEASURE_S', 30);
const WARMUP_S = num('BENCH_WARMUP_S', 5);
const RAMP10 = list('BENCH_RAMP10_RATES', [500, 1000, 1500, 2000, 2500, 3000, 4000, 5000]);
const RAMP100 = list('BENCH_RAMP100_RATES', [100, 200, 300, 400, 500, 700]);
const ALL = ['idle', 'rooms10', 'rooms10gateway', 'rooms100', 'oneRoom', 'ramp10', 'ramp100', 'overload'];
const PRESETS = new Set((process.env.BENCH_PRESETS ?? ALL.join(',')).split(','));
/** A ramp step holds when p99 stays within this and errors within 0.1 %, with nothing lost. */
const KNEE_P99_MS = 200;
const KNEE_ERROR_RATE = 0.001;

const log = (line: string) => process.stdout.write(`${line}\n`);

interface Run extends LoadResult {
  name: string;
  target?: string;
  met?: boolean;
}

const stack: BenchStack = targetStack() ?? (await startBenchStack({ WS_MAX_CONNECTIONS_PER_USER: '100' }));
const machine = { cores: cpus().length, cpu: cpus()[0]?.model, node: process.version, loadAverageAtStart: loadavg().map((l) => +l.toFixed(2)) };
log(`machine: ${JSON.stringify(machine)}`);
log(`configuration: ${LIGHT ? 'light (no search, no media)' : 'the whole product (every service, search indexing and media included)'}`);

const needsRooms100 = ['rooms100', 'oneRoom', 'ramp100'].some((p) => PRESETS.has(p));
const users = await mintUsers(stack, Math.max(PRESETS.has('idle') ? IDLE : 0, 1000, num('BENCH_USERS', 0)));
const rooms10 = await seatInRooms(stack, users.slice(0, Math.max(PRESETS.has('idle') ? IDLE : 0, 1000)), 10);
const rooms100 = needsRooms100 ? await seatInRooms(stack, users.slice(0, 1000), 100) : [];
log(`${users.length} users seated in rooms of 10${needsRooms100 ? ' and of 100' : ''}`);

const runs: Run[] = [];
const base = { stack, via: 'direct', source: 'ops' } as const;

async function run(
  name: string,
  o: Omit<LoadOptions, 'stack' | 'via' | 'source'> & Partial<LoadOptions>,
  target?: { text: string; met: (r: LoadResult) => boolean },
): Promise<Run> {
  const r: Run = { name, ...(await runLoad({ ...base, ...o })), target: target?.text };
  if (target) r.met = target.met(r);
  runs.push(r);
  log(describe(r));
  await sleep(2000);
  return r;
}

function describe(r: Run): string {
  const errors =
    Object.entries(r.errors)
      .map(([code, n]) => `${code} ${n}`)
      .join(', ') || 'none';
  return (
    `${r.name}: ${r.users} users, rooms of ${r.roomSize}, offered ${r.offeredPerSecond} msg/s, admitted ${r.admittedPerSecond}/s for ${r.seconds} s: ` +
    `p50 ${r.latencyMs.p50} / p95 ${r.latencyMs.p95} / p99 ${r.latencyMs.p99} / max ${r.latencyMs.max} ms; ${r.deliveriesPerSecond} deliveries/s; ` +
    `lost ${r.lost}, duplicated ${r.duplicated}, out of order ${r.outOfOrder}; errors ${errors}, unanswered ${r.unanswered}, closed by the server ${JSON.stringify(r.closed)}; ` +
    `cores ours ${r.usage.oursCores} ${JSON.stringify(r.usage.cores)}; MB ${JSON.stringify(r.usage.memoryMb)}` +
    (r.target ? ` — target ${r.target}: ${r.met ? 'met' : 'NOT met'}` : '')
  );
}

const holds = (r: LoadResult) => r.latencyMs.p99 <= KNEE_P99_MS && r.errorRate <= KNEE_ERROR_RATE && r.lost === 0;

/**
 * Raises the rate step by step; the knee is the last step that held. A step that fails is run once
 * more before the ramp ends there: one hiccup of a shared machine (a checkpoint, another process)
 * must not pass for the knee.
 */
async function ramp(name: string, seats: Seat[], roomSize: number, rates: number[]) {
  let knee: Run | undefined;
  for (const rate of rates) {
    let r = await run(`${name} @ ${rate}/s`, { seats, roomSize, rate, seconds: STEP_S });
    if (!holds(r)) r = await run(`${name} @ ${rate}/s (again)`, { seats, roomSize, rate, seconds: STEP_S });
    if (!holds(r)) return { knee, broke: r };
    knee = r;
  }
  return { knee, broke: undefined };
}

/** The node's RSS, and its heap at the lowest of several readings over 3 s (right after a collection: the live part). */
async function nodeMemory(pid: number): Promise<{ rss: number; heap: number }> {
  let heap = Infinity;
  for (let i = 0; i < 15; i++) {
    const text = await (await fetch(`${stack.realtimeOpsUrl}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('nodejs_heap_size_used_bytes'));
    heap = Math.min(heap, Number(line?.split(' ').at(-1) ?? NaN));
    await sleep(200);
  }
  return { rss: rssBytes(pid), heap };
}

/** Waits (up to a minute) until the machine is nearly idle: under 0.3 of a core busy over a second. */
async function untilQuiet(): Promise<void> {
  for (let i = 0; i < 60; i++) {
    const meter = startMeter({});
    await sleep(1000);
    if (meter.stop().cores.machine! < 0.3) return;
  }
}

/** RSS of each process of ours, in bytes. */
const oursRss = () => new Map(Object.values(stack.pids).map((pid) => [pid, rssBytes(pid)]));
/** What each process grew by per idle socket, in KB, by name; one that shrank (a collection after the users were made) offsets nothing. */
const growthKbPerSocket = (before: Map<number, number>, after: Map<number, number>): Record<string, number> =>
  Object.fromEntries(
    Object.entries(stack.pids).map(([name, pid]) => {
      const rss = after.get(pid) ?? 0;
      return [name, +(Math.max(0, rss - (before.get(pid) ?? rss)) / IDLE / 1024).toFixed(2)];
    }),
  );

async function idlePhase(seats: User[]) {
  const pid = stack.pids.realtime;
  if (!pid || !stack.realtimeUrl) return undefined;
  const url = `${stack.realtimeUrl.replace('http', 'ws')}/ws`;
  await untilQuiet();
  const before = await nodeMemory(pid);
  const oursBefore = oursRss();
  const baseline = startMeter(stack.pids);
  await sleep(10_000);
  const nobody = baseline.stop();
  const started = Date.now();
  const sockets: BenchSocket[] = [];
  const pinger = pingAll(sockets);
  await pool(IDLE, 100, async (i) => sockets.push(await openReady(url, seats[i]!.token)));
  const connectS = (Date.now() - started) / 1000;
  // Connecting set off presence and last-seen work: measure the idle state, not its start.
  await untilQuiet();
  const meter = startMeter(stack.pids);
  await sleep(IDLE_MEASURE_S * 1000);
  const usage = meter.stop();
  const after = await nodeMemory(pid);
  const oursAfter = oursRss();
  clearInterval(pinger);
  for (const s of sockets) s.close();
  // 10,000 disconnects set off presence transitions and last-seen writes that take a while: the
  // presets after this one measure their own load, not this aftermath.
  await untilQuiet();
  const growth = growthKbPerSocket(oursBefore, oursAfter);
  const perSocketKb = Object.values(growth).reduce((a, b) => a + b, 0);
  const idle = {
    sockets: IDLE,
    connectSeconds: +connectS.toFixed(1),
    cores: usage.cores,
    allCores: usage.allCores,
    allCoresWithNobody: nobody.allCores,
    coresWithNobody: nobody.cores,
    oursRssPerSocketKb: +perSocketKb.toFixed(1),
    rssPerSocketKbByProcess: growth,
    nodeRssPerSocketKb: +((after.rss - before.rss) / IDLE / 1024).toFixed(1),
    nodeHeapPerSocketKb: +((after.heap - before.heap) / IDLE / 1024).toFixed(1),
    target: '≤ 0.1 core in all, ≤ 20 KB per socket across our processes',
    met: usage.allCores <= 0.1 && perSocketKb <= 20,
  };
  log(
    `idle: ${idle.sockets} sockets in ${idle.connectSeconds} s; every process together ${idle.allCores} cores (${idle.allCoresWithNobody} with nobody connected) ${JSON.stringify(idle.cores)}; ` +
      `ours grew ${idle.oursRssPerSocketKb} KB RSS per socket ${JSON.stringify(growth)} (the node ${idle.nodeRssPerSocketKb} KB RSS, ${idle.nodeHeapPerSocketKb} KB heap) — target ${idle.target}: ${idle.met ? 'met' : 'NOT met'}`,
  );
  return idle;
}

const idle = PRESETS.has('idle') ? await idlePhase(rooms10) : undefined;
const s1000 = rooms10.slice(0, 1000);
// Unreported: the first seconds of load pay for JIT compilation and cold caches in every process.
if (WARMUP_S > 0) await runLoad({ ...base, seats: s1000, roomSize: 10, rate: 500, seconds: WARMUP_S });
const refused = (r: LoadResult) => Object.values(r.errors).reduce((a, b) => a + b, 0);
const rooms10Target = { text: '0 refused, 0 lost, p99 ≤ 100 ms', met: (r: LoadResult) => refused(r) === 0 && r.lost === 0 && r.latencyMs.p99 <= 100 };
if (PRESETS.has('rooms10')) await run('rooms10', { seats: s1000, roomSize: 10, rate: 2000, seconds: DURATION_S }, rooms10Target);
// The same through the gateway's /ws proxy: the single-port path, one more hop per frame.
if (PRESETS.has('rooms10gateway')) await run('rooms10gateway', { seats: s1000, roomSize: 10, rate: 2000, seconds: DURATION_S, via: 'gateway' }, rooms10Target);
if (PRESETS.has('rooms100')) {
  await run(
    'rooms100',
    { seats: rooms100, roomSize: 100, rate: 100, seconds: DURATION_S },
    {
      text: 'p50 ≤ 15 ms, p99 ≤ 50 ms, all processes (PostgreSQL, NATS, Redis included) ≤ 0.6 core',
      met: (r) => r.latencyMs.p50 <= 15 && r.latencyMs.p99 <= 50 && r.usage.allCores <= 0.6,
    },
  );
}
if (PRESETS.has('oneRoom')) {
  await run(
    'oneRoom',
    { seats: rooms100.slice(0, 100), roomSize: 100, rate: 200, seconds: DURATION_S },
    { text: 'p99 ≤ 50 ms', met: (r) => r.latencyMs.p99 <= 50 },
  );
}
const ramp10 = PRESETS.has('ramp10') || PRESETS.has('overload') ? await ramp('ramp10', s1000, 10, RAMP10) : undefined;
const ramp100 = PRESETS.has('ramp100') ? await ramp('ramp100', rooms100, 100, RAMP100) : undefined;
const ceiling = ramp100 && Math.max(0, ...runs.filter((r) => r.name.startsWith('ramp100') && holds(r)).map((r) => r.deliveriesPerSecond));
if (ramp100) log(`fan-out ceiling, rooms of 100: ${ceiling} deliveries/s (target ≥ 30,000: ${ceiling! >= 30_000 ? 'met' : 'NOT met'})`);
if (PRESETS.has('overload') && ramp10) {
  const capacity = ramp10.knee?.admittedPerSecond ?? RAMP10[0]!;
  await run(
    'overload',
    { seats: s1000, roomSize: 10, rate: 2 * capacity, seconds: DURATION_S },
    {
      text: `twice the knee (${capacity}/s): admitted p99 ≤ 200 ms, the excess refused explicitly, admitted ≥ 80 % of the knee`,
      met: (r) =>
        r.latencyMs.p99 <= 200 &&
        r.unanswered === 0 &&
        Object.keys(r.errors).every((code) => code === 'rate_limited') &&
        r.admittedPerSecond >= 0.8 * capacity &&
        r.lost === 0,
    },
  );
}
if (PRESETS.has('custom')) {
  const roomSize = num('BENCH_ROOM_SIZE', 10);
  const seats = await seatInRooms(stack, users.slice(0, num('BENCH_USERS', 1000)), roomSize);
  const source = process.env.BENCH_SOURCE === 'nats' ? 'nats' : 'ops';
  const via = process.env.BENCH_VIA === 'direct' ? 'direct' : 'gateway';
  await run('custom', { seats, roomSize, rate: num('BENCH_RATE', 2000), seconds: DURATION_S, source, via });
}

const summary = {
  machine,
  idle,
  runs,
  knee: ramp10 && { rate: ramp10.knee?.offeredPerSecond ?? null, brokeAt: ramp10.broke?.offeredPerSecond ?? null },
  ceiling: ramp100 && { deliveriesPerSecond: ceiling, brokeAt: ramp100.broke?.offeredPerSecond ?? null },
};
// The services write their own logs to this process's output until they have stopped: the result goes last.
await stack.stop();
log(JSON.stringify(summary));
process.exit(0);
