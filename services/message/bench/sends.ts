// Message service benchmark: committed sends per second (one chat, 100 chats) over the rpc path
// the WebSocket uses, and history page latency on chats of 1,000 and 1,000,000 messages.
// Starts auth, user, chat and message as separate processes against an isolated database and
// prefixes, prints a summary and a last line of JSON. Run with `npm run bench -w @chat/message`.
// Knobs: BENCH_DURATION_S (per scenario), BENCH_IN_FLIGHT, BENCH_BIG_CHAT (0 skips the history
// pages), BENCH_NODE_ARGS (node flags for the message service, e.g. `--cpu-prof`),
// BENCH_MESSAGE_ENTRY (another build of the message service, e.g. `dist-before/main.js`).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { createIsolation, toolsNatsCredentials } from '@chat/testkit';
import { connect } from '@nats-io/transport-node';
import pgPromise from 'pg-promise';

const root = new URL('../../..', import.meta.url).pathname;
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 128);
const BIG_CHAT = Number(process.env.BENCH_BIG_CHAT ?? 1_000_000);
const PORTS = { auth: 18181, user: 18182, chat: 18183, message: 18184 };
// Its own database, key and subject prefixes, all removed at the end (the big chat alone is a
// million rows).
const isolation = createIsolation();
const { DATABASE_URL, NATS_PREFIX: PREFIX } = isolation.env as { DATABASE_URL: string; NATS_PREFIX: string };
/** Extra node flags for the message service process only, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
const MESSAGE_NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
/** The message service's entry point, relative to services/message (to compare two builds side by side). */
const MESSAGE_ENTRY = process.env.BENCH_MESSAGE_ENTRY ?? 'dist/main.js';

const env: Record<string, string> = {
  ...(process.env as Record<string, string>),
  NODE_ENV: 'development',
  LOG_LEVEL: 'warn',
  DATABASE_URL,
  REDIS_PREFIX: isolation.env.REDIS_PREFIX!,
  NATS_PREFIX: PREFIX,
  AUTH_KEYS_DIR: join(root, '.data/bench-keys'),
  MAILBOX_DIR: join(root, '.data/bench-mailbox'),
  RATE_LIMIT_REGISTER_PER_HOUR: '100000000',
  DB_POOL_SIZE: '20',
  // As in production: responses are not checked against the contract (development does that).
  VALIDATE_RESPONSES: 'false',
  // The capacity of the commit path: a closed loop of sends in flight, not refused by overload
  // admission (the fan-out suite's overload preset measures that).
  SEND_QUEUE_TARGET_MS: '10000',
};

const children: ChildProcess[] = [];
process.on('exit', () => children.forEach((c) => c.kill('SIGTERM')));

async function startService(name: keyof typeof PORTS): Promise<void> {
  const [nodeArgs, entry] = name === 'message' ? [MESSAGE_NODE_ARGS, MESSAGE_ENTRY] : [[], 'dist/main.js'];
  children.push(
    spawn(process.execPath, [...nodeArgs, entry], {
      cwd: join(root, 'services', name),
      env: { ...env, PORT: String(PORTS[name]) },
      stdio: ['ignore', 'inherit', 'inherit'],
    }),
  );
  for (let i = 0; i < 240; i++) {
    if (
      await fetch(`http://127.0.0.1:${PORTS[name]}/ready`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${name} never became ready`);
}

async function http(service: keyof typeof PORTS, method: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(`http://127.0.0.1:${PORTS[service]}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const summary = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  return { p50: +percentile(s, 50).toFixed(2), p99: +percentile(s, 99).toFixed(2), max: +(s.at(-1) ?? 0).toFixed(2) };
};

for (const name of ['auth', 'user', 'chat', 'message'] as const) await startService(name);
process.stderr.write(`service pids: ${children.map((c) => c.pid).join(' ')} (auth user chat message)\n`);
// The load generator shares the machine's cores with the services: no stack captured per request.
const nc = await connect({ servers: env.NATS_URL!, noAsyncTraces: true, ...toolsNatsCredentials() });
const reg = await http('auth', 'POST', '/auth/register', undefined, { username: `bench_${Date.now()}`, password: 'benchmark password' });
const me = { appId: reg.user.appId as string, userId: reg.user.id as string, token: reg.tokens.accessToken as string };
const newChat = async () => (await http('chat', 'POST', '/chats', me.token, { type: 'group', name: 'bench' })).id as string;

const pgp = pgPromise();
const db = pgp(DATABASE_URL);

/** CPU seconds used so far by a process (utime + stime from /proc). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** PostgreSQL backends serving each service (application_name is the service's schema). */
async function backendPids(): Promise<Map<number, string>> {
  const rows = await db.any<{ pid: number; app: string }>('SELECT pid, application_name AS app FROM pg_stat_activity WHERE datname = current_database()');
  return new Map(rows.map((r) => [r.pid, r.app]));
}
const safeCpuSeconds = (pid: number) => {
  try {
    return cpuSeconds(pid);
  } catch {
    return 0; // gone meanwhile
  }
};

/** CPU seconds so far of each service process and of the PostgreSQL backends of each service. */
async function cpuSnapshot(): Promise<Map<string, number>> {
  const names = ['auth', 'user', 'chat', 'message'];
  const snap = new Map(children.map((c, i) => [names[i]!, cpuSeconds(c.pid!)]));
  for (const [pid, app] of await backendPids()) snap.set(`pg:${app}:${pid}`, safeCpuSeconds(pid));
  const own = process.cpuUsage();
  snap.set('loadgen', (own.user + own.system) / 1e6);
  return snap;
}

/** Cores used between two snapshots: per service, and per service's PostgreSQL backends (`pg.<service>`). */
function coresBetween(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const cores: Record<string, number> = {};
  for (const [key, end] of after) {
    const name = key.startsWith('pg:') ? `pg.${key.split(':')[1]}` : key;
    cores[name] = (cores[name] ?? 0) + (end - (before.get(key) ?? 0)) / DURATION_S;
  }
  return Object.fromEntries(
    Object.entries(cores)
      .filter(([, v]) => v >= 0.005)
      .map(([k, v]) => [k, +v.toFixed(2)]),
  );
}

/** Keeps IN_FLIGHT sends going for DURATION_S seconds; counts committed sends and the cores each service used. */
async function sendLoad(chatIds: string[]) {
  const before = await cpuSnapshot();
  const latencies: number[] = [];
  let errors = 0;
  const errorCodes: Record<string, number> = {};
  let next = 0;
  const end = Date.now() + DURATION_S * 1000;
  const worker = async () => {
    while (Date.now() < end) {
      const chatId = chatIds[next++ % chatIds.length]!;
      const started = performance.now();
      const reply = await nc
        .request(`${PREFIX}rpc.message.send`, JSON.stringify({ ...me, chatId, body: { clientMessageId: randomUUID(), text: 'benchmark message' } }), {
          timeout: 10_000,
        })
        .then(
          (m) => m.json() as { ok: boolean; error?: { code: string } },
          () => ({ ok: false, error: { code: 'no_reply' } }),
        );
      if (reply.ok) latencies.push(performance.now() - started);
      else {
        errors++;
        errorCodes[reply.error!.code] = (errorCodes[reply.error!.code] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const cores = coresBetween(before, await cpuSnapshot());
  const sendsPerSecond = Math.round(latencies.length / DURATION_S);
  // CPU milliseconds each committed send cost, summed over the services and their backends (not
  // the load generator, nor the NATS server): a figure that holds up on a shared machine where the
  // rate itself does not.
  const totalCores = Object.entries(cores).reduce((sum, [name, c]) => (name === 'loadgen' ? sum : sum + c), 0);
  const cpuMsPerSend = {
    message: +((1000 * (cores.message ?? 0)) / sendsPerSecond).toFixed(3),
    pgMessage: +((1000 * (cores['pg.message'] ?? 0)) / sendsPerSecond).toFixed(3),
    all: +((1000 * totalCores) / sendsPerSecond).toFixed(3),
  };
  return { sendsPerSecond, errors, errorCodes, latencyMs: summary(latencies), cores, cpuMsPerSend };
}

// The load average around the send scenarios says how much of the machine others were using.
const loadBefore = loadavg()[0]!;
const hundred = await Promise.all(Array.from({ length: 100 }, newChat));
const single = await newChat();
await sendLoad(hundred.slice(0, 10)); // warm-up: authorization cache, connection pools, JIT
const across100 = await sendLoad(hundred);
const intoOne = await sendLoad([single]);
const loadAverage = { before: +loadBefore.toFixed(2), after: +loadavg()[0]!.toFixed(2), cores: cpus().length };

/** Fills a chat's log with `count` messages in bulk, straight into the store. */
async function fill(chatId: string, count: number) {
  await db.none(
    `INSERT INTO message.messages (chat_id, seq, id, app_id, sender_id, client_message_id, type, text, created_at)
     SELECT $1, s, gen_random_uuid(), $2, $3, 'bulk-' || s, 'text', 'message number ' || s, now() - make_interval(secs => $4 - s)
       FROM generate_series(1, $4) AS s`,
    [chatId, me.appId, me.userId, count],
  );
  await db.none('UPDATE message.chats SET last_seq = $2 WHERE chat_id = $1', [chatId, count]);
  await db.none('ANALYZE message.messages');
}

async function historyLatency(chatId: string, size: number, samples = 2000) {
  const ms: number[] = [];
  for (let i = 0; i < samples; i++) {
    const before = 1 + Math.floor(Math.random() * size);
    const started = performance.now();
    await http('message', 'GET', `/chats/${chatId}/messages?before=${before}&limit=50`, me.token);
    ms.push(performance.now() - started);
  }
  return summary(ms);
}

/** History page latency on a chat of 1,000 messages and one of BIG_CHAT (BENCH_BIG_CHAT=0 skips it). */
async function historyScenario() {
  const small = await newChat();
  const big = await newChat();
  await fill(small, 1000);
  await fill(big, BIG_CHAT);
  await historyLatency(small, 1000, 200);
  return { chat1k: await historyLatency(small, 1000), [`chat${BIG_CHAT}`]: await historyLatency(big, BIG_CHAT) };
}
const history = BIG_CHAT > 0 ? await historyScenario() : undefined;

const result = { durationS: DURATION_S, inFlight: IN_FLIGHT, loadAverage, across100Chats: across100, intoOneChat: intoOne, historyPage50: history };
process.stdout.write(`load average (1 min) ${loadAverage.before} before, ${loadAverage.after} after the send scenarios, on ${loadAverage.cores} cores\n`);
process.stdout.write(
  `sends across 100 chats: ${across100.sendsPerSecond}/s p50 ${across100.latencyMs.p50} ms p99 ${across100.latencyMs.p99} ms (errors ${across100.errors} ${JSON.stringify(across100.errorCodes)}) cores ${JSON.stringify(across100.cores)} cpu ms/send ${JSON.stringify(across100.cpuMsPerSend)}\n`,
);
process.stdout.write(
  `sends into one chat:    ${intoOne.sendsPerSecond}/s p50 ${intoOne.latencyMs.p50} ms p99 ${intoOne.latencyMs.p99} ms (errors ${intoOne.errors} ${JSON.stringify(intoOne.errorCodes)}) cores ${JSON.stringify(intoOne.cores)} cpu ms/send ${JSON.stringify(intoOne.cpuMsPerSend)}\n`,
);
if (history)
  process.stdout.write(
    `history page (50) p50/p99: 1k ${history.chat1k!.p50}/${history.chat1k!.p99} ms, ${BIG_CHAT} ${history[`chat${BIG_CHAT}`]!.p50}/${history[`chat${BIG_CHAT}`]!.p99} ms\n`,
  );
// The services stop first (a relay still running would make the stream again), then the run's
// database, keys and event stream go.
const exited = children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : undefined));
children.forEach((c) => c.kill('SIGTERM'));
await Promise.all(exited);
await nc.close();
await db.$pool.end();
await isolation.cleanup();
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
