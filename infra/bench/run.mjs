#!/usr/bin/env node
// `npm run bench`: builds, then runs each benchmark against its own isolated stack (own database,
// key and subject prefixes, raised rate limits), one after another, prints a summary table and
// writes everything as JSON into bench-results/. BENCH_ONLY picks parts (comma-separated):
//   platform  auth + gateway under autocannon (health, readiness, an authenticated call, login)
//   outbox    the transactional outbox relay's throughput
//   message   committed sends/s over the WebSocket's rpc path, history pages on a 1,000,000-message chat
//   fanout    the fan-out suite (packages/bench): idle sockets, presets, ramp, overload
//   search    search latency over 1,000,000 messages and index lag (loads the data: minutes)
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { requireDependencies } from '../reachability.mjs';
import { printSummary } from './summary.mjs';

const root = new URL('../..', import.meta.url).pathname;
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const PARTS = new Set((process.env.BENCH_ONLY ?? 'platform,outbox,message,fanout,search').split(','));
const GATEWAY_PORT = 18080;
const AUTH_PORT = 18081;
const base = `http://127.0.0.1:${GATEWAY_PORT}`;

const env = {
  ...process.env,
  NODE_ENV: 'development',
  LOG_LEVEL: 'warn',
  TURBO_TELEMETRY_DISABLED: '1',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/chat_bench',
  REDIS_PREFIX: 'bench:',
  NATS_PREFIX: 'bench.',
  AUTH_URL: `http://127.0.0.1:${AUTH_PORT}`,
  AUTH_KEYS_DIR: join(root, '.data/bench-keys'),
  MAILBOX_DIR: join(root, '.data/bench-mailbox'),
  RATE_LIMIT_USER_PER_MINUTE: '100000000',
  RATE_LIMIT_IP_PER_MINUTE: '100000000',
  RATE_LIMIT_LOGIN_PER_MINUTE: '100000000',
  RATE_LIMIT_REGISTER_PER_HOUR: '100000000',
  LOGIN_IP_MAX_FAILURES: '100000000',
};

await requireDependencies(env);
if (spawnSync('npx', ['turbo', 'run', 'build', '--output-logs=errors-only'], { cwd: root, stdio: 'inherit', env }).status !== 0) process.exit(1);

const children = [];
function start(name, dir, port) {
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: join(root, dir),
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.push({ name, child });
}
function stopAll() {
  for (const { child } of children) child.kill('SIGTERM');
}
process.on('exit', stopAll);

/** Waits until `url` answers 200 (the gateway reports `degraded` here: only auth runs behind it). */
async function waitHealthy(url) {
  for (let i = 0; i < 120; i++) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} never became healthy`);
}

/** CPU seconds used so far by a process (utime + stime from /proc). */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
function rssMb(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS'));
  return Math.round(Number(line.split(/\s+/)[1]) / 1024);
}

async function load(name, opts) {
  const before = children.map(({ child }) => cpuSeconds(child.pid));
  const result = await autocannon({ duration: DURATION_S, ...opts });
  const cores = children.map(({ name: n, child }, i) => [n, Math.round(((cpuSeconds(child.pid) - before[i]) / DURATION_S) * 100) / 100]);
  const non2xx = result.non2xx + result.errors + result.timeouts;
  return {
    scenario: name,
    connections: opts.connections,
    requestsPerSecond: Math.round(result.requests.average),
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    errors: non2xx,
    coresUsed: Object.fromEntries(cores),
    rssMb: Object.fromEntries(children.map(({ name: n, child }) => [n, rssMb(child.pid)])),
  };
}

/** Runs a benchmark script that prints a last line of JSON; its other lines pass through. */
function script(args) {
  const child = spawnSync('npx', ['tsx', ...args], { cwd: root, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 256 * 2 ** 20 });
  const lines = (child.stdout ?? '').trim().split('\n');
  process.stdout.write(`${lines.slice(0, -1).join('\n')}\n`);
  if (child.status !== 0) return { error: `exit ${child.status}` };
  try {
    return JSON.parse(lines.at(-1));
  } catch {
    return { error: 'no result' };
  }
}

const report = {
  machine: { cores: cpus().length, cpu: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version, loadAverageAtStart: loadavg() },
};

if (PARTS.has('platform')) {
  start('auth', 'services/auth', AUTH_PORT);
  await waitHealthy(`http://127.0.0.1:${AUTH_PORT}/health`);
  start('gateway', 'gateway', GATEWAY_PORT);
  await waitHealthy(`${base}/health`);

  const username = `bench_${Date.now()}`;
  const password = 'benchmark password';
  const reg = await (
    await fetch(`${base}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    })
  ).json();
  const token = reg.tokens.accessToken;

  const results = [];
  results.push(await load('auth GET /health direct (floor: express + helmet)', { url: `http://127.0.0.1:${AUTH_PORT}/health`, connections: 50 }));
  results.push(await load('gateway GET /ready (Redis + NATS ping)', { url: `${base}/ready`, connections: 50 }));
  results.push(
    await load('GET /api/v1/auth/me (verify twice + proxy + PostgreSQL)', {
      url: `${base}/api/v1/auth/me`,
      connections: 50,
      headers: { authorization: `Bearer ${token}` },
    }),
  );
  results.push(
    await load('POST /api/v1/auth/login (bcrypt cost 12)', {
      url: `${base}/api/v1/auth/login`,
      method: 'POST',
      connections: 4,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identifier: username, password }),
    }),
  );
  stopAll();
  report.platform = results;
}
if (PARTS.has('outbox')) report.outbox = script(['infra/bench/outbox.ts']);
if (PARTS.has('message')) report.message = script(['services/message/bench/sends.ts']);
if (PARTS.has('fanout')) report.fanout = script(['packages/bench/src/fanout.ts']);
if (PARTS.has('search')) report.search = script(['services/search/bench/search.ts']);

printSummary(report);
mkdirSync(join(root, 'bench-results'), { recursive: true });
const file = join(root, 'bench-results', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({ durationS: DURATION_S, ...report }, null, 2));
process.stdout.write(`written ${file}\n`);
process.exit(0);
