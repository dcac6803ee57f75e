// Search benchmark: query latency p50/p99 over 1,000,000 indexed messages in 10,000 chats (a
// common word, a rare word, a substring, a filtered query) for a member of 50 chats and one of
// 5,000, then index lag (send committed → searchable) at a steady send rate through the real
// pipeline. Starts auth, user, chat, message and search as processes on an isolated database
// and prefixes. Run with `npm run bench -w @chat/search` (after `npm run build`).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { connectNats } from '@chat/testkit';
import pgPromise from 'pg-promise';
import { addMembers, loadDataset, vocabulary } from './load.js';

const root = new URL('../../..', import.meta.url).pathname;
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const CHATS = Number(process.env.BENCH_CHATS ?? 10_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200);
const RATE = Number(process.env.BENCH_RATE ?? 500);
const LAG_SECONDS = Number(process.env.BENCH_LAG_SECONDS ?? 30);
const PORTS = { auth: 18281, user: 18282, chat: 18283, message: 18284, search: 18287 };
const DATABASE = 'chat_bench_search';
const DATABASE_URL = `postgres://postgres@127.0.0.1:5432/${DATABASE}`;
const PREFIX = `benchsearch${Date.now()}.`;
/** `lag`: index lag only; `queries`: queries only. */
const ONLY = process.env.BENCH_ONLY ?? 'all';
/** Keep the data of the last run (tuning): no drop, no load. */
const REUSE = process.env.BENCH_REUSE === '1';
const env: Record<string, string> = {
  ...(process.env as Record<string, string>),
  NODE_ENV: 'development',
  LOG_LEVEL: 'warn',
  DATABASE_URL,
  REDIS_PREFIX: PREFIX,
  NATS_PREFIX: PREFIX,
  AUTH_KEYS_DIR: join(root, '.data/bench-keys'),
  MAILBOX_DIR: join(root, '.data/bench-mailbox'),
  RATE_LIMIT_REGISTER_PER_HOUR: '100000000',
  RATE_LIMIT_USER_PER_MINUTE: '100000000',
  DB_POOL_SIZE: '20',
  // Tokens are issued before the load, which takes minutes.
  ACCESS_TOKEN_TTL_S: '3600',
};

const pgp = pgPromise();
const admin = pgp('postgres://postgres@127.0.0.1:5432/postgres');
if (!REUSE) {
  await admin.none('DROP DATABASE IF EXISTS $1:name WITH (FORCE)', [DATABASE]);
  await admin.none('CREATE DATABASE $1:name', [DATABASE]);
}
await admin.$pool.end();
const db = pgp(DATABASE_URL);

const children: ChildProcess[] = [];
process.on('exit', () => children.forEach((c) => c.kill('SIGTERM')));
async function startService(name: keyof typeof PORTS): Promise<void> {
  children.push(
    spawn(process.execPath, ['dist/main.js'], {
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
  return { p50: +percentile(s, 50).toFixed(1), p99: +percentile(s, 99).toFixed(1), max: +(s.at(-1) ?? 0).toFixed(1) };
};
const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;

for (const name of ['auth', 'user', 'chat', 'message', 'search'] as const) await startService(name);
const register = async (username: string) => {
  const r = await http('auth', 'POST', '/auth/register', undefined, { username, password: 'benchmark password' });
  return { appId: r.user.appId as string, userId: r.user.id as string, token: r.tokens.accessToken as string };
};
const stamp = Date.now().toString(36);
const [small, big, sender] = await Promise.all([register(`bench_small_${stamp}`), register(`bench_big_${stamp}`), register(`bench_sender_${stamp}`)]);

const vocab = vocabulary(20_000);
let started = performance.now();
const dataset = { appId: small.appId, small: small.userId, big: big.userId };
// The last run's lag probes would otherwise be the newest messages of the app.
if (REUSE) await db.none(`DELETE FROM search.messages WHERE body LIKE 'lag probe %'`);
if (REUSE) await addMembers(db, { ...dataset, chatIds: (await db.any('SELECT chat_id FROM search.chats ORDER BY name LIMIT 5000')).map((r) => r.chat_id) });
else await loadDataset(db, { ...dataset, chatIds: Array.from({ length: CHATS }, () => randomUUID()) }, vocab, MESSAGES);
const loadS = +((performance.now() - started) / 1000).toFixed(0);
process.stdout.write(`loaded ${MESSAGES} messages in ${CHATS} chats in ${loadS} s\n`);

const CASES: Record<string, () => Record<string, string>> = {
  common: () => ({ q: pick(vocab.slice(10, 20)) }),
  rare: () => ({ q: pick(vocab.slice(10_000)) }),
  substring: () => {
    const w = pick(vocab.slice(100, 1000).filter((v) => v.length >= 6));
    return { q: w.slice(1, 5) };
  },
  filtered: () => ({ q: pick(vocab.slice(10, 20)), hasAttachment: 'true', after: new Date(Date.now() - 90 * 86_400_000).toISOString() }),
};

async function queryLatency(token: string, make: () => Record<string, string>) {
  const ms: number[] = [];
  let hits = 0;
  let slowest = { ms: 0, qs: '' };
  for (let i = 0; i < SAMPLES + 20; i++) {
    const qs = new URLSearchParams(make()).toString();
    const t0 = performance.now();
    const res = await http('search', 'GET', `/search/messages?${qs}`, token);
    const took = performance.now() - t0;
    if (i >= 20) ms.push(took);
    if (took > slowest.ms) slowest = { ms: +took.toFixed(1), qs };
    hits += res.data.length;
  }
  return { ...summary(ms), avgHits: +(hits / (SAMPLES + 20)).toFixed(1), slowest: slowest.qs };
}

const queries: Record<string, Record<string, ReturnType<typeof summary>>> = {};
for (const [who, user] of ONLY === 'lag'
  ? []
  : ([
      ['member of 50 chats', small],
      ['member of 5,000 chats', big],
    ] as const)) {
  queries[who] = {};
  for (const [name, make] of Object.entries(CASES)) {
    queries[who]![name] = await queryLatency(user.token, make);
    process.stdout.write(`${who.padEnd(22)} ${name.padEnd(10)} ${JSON.stringify(queries[who]![name])}\n`);
  }
}

/** Sends at RATE per second for LAG_SECONDS and measures, per message, send committed → row in the search index. */
async function indexLag() {
  const nc = await connectNats(env.NATS_URL);
  const chats = await Promise.all(
    Array.from({ length: 20 }, async () => (await http('chat', 'POST', '/chats', sender.token, { type: 'group', name: 'lag' })).id as string),
  );
  /** Message id → [chat id, when its send was committed]. */
  const pending = new Map<string, [string, number]>();
  const lags: number[] = [];
  let sent = 0;
  let failed = 0;
  let polling = true;
  const poller = (async () => {
    while (polling || pending.size > 0) {
      const ids = [...pending.keys()];
      if (ids.length) {
        const rows: { id: string }[] = await db.any(
          'SELECT m.id FROM search.messages m JOIN unnest($1::uuid[], $2::uuid[]) AS x(chat_id, id) ON m.chat_id = x.chat_id AND m.id = x.id',
          [ids.map((id) => pending.get(id)![0]), ids],
        );
        const now = performance.now();
        for (const { id } of rows) {
          lags.push(now - pending.get(id)![1]);
          pending.delete(id);
        }
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < RATE * LAG_SECONDS; i++) {
    const due = started + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const body = { clientMessageId: randomUUID(), text: `lag probe ${i} ${pick(vocab.slice(0, 2000))}` };
    const chatId = chats[i % chats.length]!;
    inFlight.push(
      nc.request(`${PREFIX}rpc.message.send`, JSON.stringify({ appId: sender.appId, userId: sender.userId, chatId, body }), { timeout: 10_000 }).then(
        (reply) => {
          const r = reply.json() as { ok: boolean; data?: { message: { id: string } } };
          if (!r.ok || !r.data) return void failed++;
          sent++;
          pending.set(r.data.message.id, [chatId, performance.now()]);
        },
        () => void failed++,
      ),
    );
  }
  await Promise.all(inFlight);
  const sendS = (performance.now() - started) / 1000;
  const deadline = Date.now() + 60_000;
  while (pending.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  polling = false;
  const lost = pending.size;
  pending.clear();
  await poller;
  await nc.close();
  return { rate: RATE, seconds: LAG_SECONDS, achievedRate: Math.round(sent / sendS), sent, failed, notIndexedIn60s: lost, lagMs: summary(lags) };
}

/** The search service's own `search_index_lag_seconds` (event time → committed), as bucket bounds of p50/p99. */
async function serviceLagBuckets() {
  const text = await (await fetch(`http://127.0.0.1:${PORTS.search}/metrics`)).text();
  const lines = text.split('\n').filter((l) => l.startsWith('search_index_lag_seconds_bucket{') && l.includes('source="message"'));
  const buckets = lines.map((l) => ({ le: /le="([^"]+)"/.exec(l)?.[1], n: Number(l.split(' ').at(-1)) }));
  const total = buckets.at(-1)?.n ?? 0;
  const at = (p: number) => buckets.find((b) => b.n >= total * p)?.le;
  return { events: total, p50AtMostS: at(0.5), p99AtMostS: at(0.99) };
}

const lag = ONLY === 'queries' ? null : { ...(await indexLag()), service: await serviceLagBuckets() };
if (lag) process.stdout.write(`index lag at ${lag.achievedRate} msg/s: ${JSON.stringify(lag)}\n`);
process.stdout.write(`${JSON.stringify({ messages: MESSAGES, chats: CHATS, samples: SAMPLES, loadSeconds: loadS, queries, lag })}\n`);
await db.$pool.end();
process.exit(0);
