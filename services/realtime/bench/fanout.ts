// Realtime fan-out benchmark. Starts the stack as separate processes (bench/stack.ts), then:
//  1. idle: opens BENCH_IDLE_SOCKETS sockets straight to the realtime node (users in rooms of
//     BENCH_ROOM_SIZE) and reads the node's memory growth per socket;
//  2. load, once per source in BENCH_SOURCES: BENCH_USERS clients in rooms of BENCH_ROOM_SIZE
//     (through the gateway unless BENCH_VIA=direct), BENCH_RATE messages a second for
//     BENCH_DURATION_S. Source `nats` publishes the frames on `rt.chat.<id>` as the message service
//     does (the realtime node alone); source `ops` has the clients send `message.send` (the whole
//     path: gateway, realtime, message service, PostgreSQL, back). Every member's socket, the
//     sender's included, must receive each message once, in seq order.
// Prints send→receive latency, deliveries per second, lost / duplicated / out-of-order counts, the
// cores each process used, and a last line of JSON. Run with `npm run bench -w @chat/realtime`.
import { type User, openReady, pingAll, pool, runLoad, sleep } from './load.js';
import type WebSocket from 'ws';
import { ADMIN_KEY, rssBytes, startBenchStack } from './stack.js';

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const USERS = num('BENCH_USERS', 1000);
const ROOM = num('BENCH_ROOM_SIZE', 10);
const RATE = num('BENCH_RATE', 2000);
const DURATION_S = num('BENCH_DURATION_S', 20);
const IDLE = num('BENCH_IDLE_SOCKETS', 10_000);
const VIA = process.env.BENCH_VIA === 'direct' ? 'direct' : 'gateway';
const SOURCES = (process.env.BENCH_SOURCES ?? 'nats,ops').split(',') as ('nats' | 'ops')[];

const log = (line: string) => process.stdout.write(`${line}\n`);

const stack = await startBenchStack({ WS_MAX_CONNECTIONS_PER_USER: '100' });

async function http(method: string, path: string, opts: { token?: string; headers?: Record<string, string>; body?: unknown } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const res = await fetch(`${stack.gatewayUrl}/api/v1${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function makeUsers(count: number): Promise<User[]> {
  const app = await http('POST', '/admin/apps', { headers: { 'x-admin-key': ADMIN_KEY }, body: { name: 'fan-out bench' } });
  const creds = { 'x-api-key': app.apiKey, 'x-api-secret': app.apiSecret };
  const users = await pool(count, 32, async (i) => {
    const res = await http('POST', '/server/token', { headers: creds, body: { externalId: `u${i}` } });
    return { id: res.user.id as string, token: res.tokens.accessToken as string, chatId: '' };
  });
  await pool(Math.ceil(count / ROOM), 16, async (r) => {
    const members = users.slice(r * ROOM, (r + 1) * ROOM);
    const chat = await http('POST', '/chats', { token: members[0]!.token, body: { type: 'group', name: `room ${r}`, memberIds: members.slice(1).map((m) => m.id) } });
    for (const m of members) m.chatId = chat.id;
  });
  return users;
}

/** The node's RSS, and its heap at the lowest of several readings over 3 s (right after a collection: the live part). */
async function nodeMemory(): Promise<{ rss: number; heap: number }> {
  let heap = Infinity;
  for (let i = 0; i < 15; i++) {
    const text = await (await fetch(`${stack.realtimeUrl}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('nodejs_heap_size_used_bytes'));
    heap = Math.min(heap, Number(line?.split(' ').at(-1) ?? NaN));
    await sleep(200);
  }
  return { rss: rssBytes(stack.pids.realtime!), heap };
}

async function idlePhase(users: User[]) {
  const url = `${stack.realtimeUrl.replace('http', 'ws')}/ws`;
  await sleep(2000);
  const before = await nodeMemory();
  const started = Date.now();
  const sockets: WebSocket[] = [];
  const pinger = pingAll(sockets);
  await pool(IDLE, 100, async (i) => sockets.push(await openReady(url, users[i]!.token)));
  const connectS = (Date.now() - started) / 1000;
  await sleep(5000);
  const after = await nodeMemory();
  clearInterval(pinger);
  for (const s of sockets) s.close();
  await sleep(3000);
  return {
    sockets: IDLE,
    connectSeconds: +connectS.toFixed(1),
    rssPerSocketKb: +((after.rss - before.rss) / IDLE / 1024).toFixed(1),
    heapPerSocketKb: +((after.heap - before.heap) / IDLE / 1024).toFixed(1),
    nodeRssMb: Math.round(after.rss / 2 ** 20),
  };
}

const users = await makeUsers(Math.max(IDLE, USERS));
log(`${users.length} users in rooms of ${ROOM} ready`);
const idle = IDLE > 0 ? await idlePhase(users) : undefined;
if (idle) log(`idle: ${idle.sockets} sockets in ${idle.connectSeconds} s; realtime node grew ${idle.rssPerSocketKb} KB RSS and ${idle.heapPerSocketKb} KB heap per socket (RSS now ${idle.nodeRssMb} MB)`);
const loads = [];
for (const source of SOURCES) {
  const load = await runLoad({ stack, users: users.slice(0, USERS), roomSize: ROOM, rate: RATE, seconds: DURATION_S, via: VIA, source });
  loads.push(load);
  log(
    `load (${load.source}): ${load.users} users, rooms of ${load.roomSize}, ${load.sentPerSecond} msg/s for ${load.seconds} s via ${load.via}: ` +
      `send→receive p50 ${load.latencyMs.p50} ms, p95 ${load.latencyMs.p95} ms, p99 ${load.latencyMs.p99} ms (max ${load.latencyMs.max}); ` +
      `${load.deliveriesPerSecond} deliveries/s; committed ${load.committed}/${load.sent}; lost ${load.lost}, duplicated ${load.duplicated}, out of order ${load.outOfOrder}; ` +
      `errors ${JSON.stringify(load.errors)}; cores ${JSON.stringify(load.cores)}; bench client loop delay p99 ${load.benchClientLoopDelayP99Ms} ms`,
  );
  await sleep(2000);
}
log(JSON.stringify({ idle, loads }));
await stack.stop();
process.exit(0);
