#!/usr/bin/env node
// `npm run bench`: builds, starts an isolated auth + gateway (own database, key and subject
// prefixes, raised rate limits), loads them with autocannon from this machine, then runs the
// outbox and message-service benchmarks; prints a table and writes JSON into bench-results/.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { requireDependencies } from '../reachability.mjs';

const root = new URL('../..', import.meta.url).pathname;
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
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
  const child = spawn(process.execPath, ['dist/main.js'], { cwd: join(root, dir), env: { ...env, PORT: String(port) }, stdio: ['ignore', 'inherit', 'inherit'] });
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
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS'));
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

start('auth', 'services/auth', AUTH_PORT);
await waitHealthy(`http://127.0.0.1:${AUTH_PORT}/health`);
start('gateway', 'gateway', GATEWAY_PORT);
await waitHealthy(`${base}/health`);

const username = `bench_${Date.now()}`;
const password = 'benchmark password';
const reg = await (await fetch(`${base}/api/v1/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) })).json();
const token = reg.tokens.accessToken;

const results = [];
results.push(await load('auth GET /health direct (floor: express + helmet)', { url: `http://127.0.0.1:${AUTH_PORT}/health`, connections: 50 }));
results.push(await load('gateway GET /ready (Redis + NATS ping)', { url: `${base}/ready`, connections: 50 }));
results.push(await load('GET /api/v1/auth/me (verify twice + proxy + PostgreSQL)', { url: `${base}/api/v1/auth/me`, connections: 50, headers: { authorization: `Bearer ${token}` } }));
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

const outbox = spawnSync('npx', ['tsx', 'infra/bench/outbox.ts'], { cwd: root, env, encoding: 'utf8' });
const outboxResult = outbox.status === 0 ? JSON.parse(outbox.stdout.trim().split('\n').at(-1)) : { error: outbox.stderr };

const message = spawnSync('npx', ['tsx', 'services/message/bench/sends.ts'], { cwd: root, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const messageResult = message.status === 0 ? JSON.parse(message.stdout.trim().split('\n').at(-1)) : { error: `exit ${message.status}` };

for (const r of results) {
  process.stdout.write(
    `${r.scenario.padEnd(58)} ${String(r.requestsPerSecond).padStart(7)} req/s  p50 ${r.latencyMs.p50} ms  p99 ${r.latencyMs.p99} ms  errors ${r.errors}  cores ${JSON.stringify(r.coresUsed)}\n`,
  );
}
process.stdout.write(`outbox: ${JSON.stringify(outboxResult)}\n`);
process.stdout.write(message.stdout ?? '');

mkdirSync(join(root, 'bench-results'), { recursive: true });
const file = join(root, 'bench-results', `auth-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({ machine: { cores: 2, node: process.version }, durationS: DURATION_S, http: results, outbox: outboxResult, message: messageResult }, null, 2));
process.stdout.write(`written ${file}\n`);
process.exit(0);
