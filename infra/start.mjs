#!/usr/bin/env node
// Builds and runs the whole system locally: every service and the gateway as separate processes,
// with prefixed logs, restarted when they crash, all stopped on Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { requireDependencies } from './reachability.mjs';

const root = new URL('..', import.meta.url).pathname;
const COLORS = [36, 33, 35, 32, 34, 91, 92, 93, 94];

/** Every service with a start script, then the gateway (which routes to them). */
function discoverProcesses() {
  const services = readdirSync(join(root, 'services'))
    .filter((name) => existsSync(join(root, 'services', name, 'package.json')))
    .filter((name) => JSON.parse(readFileSync(join(root, 'services', name, 'package.json'), 'utf8')).scripts?.start)
    .map((name) => ({ name, dir: join(root, 'services', name) }));
  return [...services, { name: 'gateway', dir: join(root, 'gateway') }];
}

const env = { NODE_ENV: 'development', TURBO_TELEMETRY_DISABLED: '1', ...process.env };
await requireDependencies(env);

process.stdout.write('building…\n');
const build = spawnSync('npx', ['turbo', 'run', 'build', '--output-logs=errors-only'], { cwd: root, stdio: 'inherit', env });
if (build.status !== 0) {
  process.stderr.write('build failed\n');
  process.exit(build.status ?? 1);
}

const processes = discoverProcesses();
const width = Math.max(...processes.map((p) => p.name.length));
let stopping = false;

function run(proc, index, attempt = 0) {
  const color = COLORS[index % COLORS.length];
  const prefix = `\x1b[${color}m${proc.name.padEnd(width)} |\x1b[0m `;
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: proc.dir,
    env: { ...env, AUTH_KEYS_DIR: join(root, '.data/keys'), MAILBOX_DIR: join(root, '.data/mailbox') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const startedAt = Date.now();
  proc.child = child;
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => process.stdout.write(prefix + line + '\n'));
  }
  child.on('exit', (code, signal) => {
    proc.child = undefined;
    if (stopping) return;
    // A process that ran a while before dying starts again at once; a crash loop backs off.
    const nextAttempt = Date.now() - startedAt > 30_000 ? 0 : attempt + 1;
    const delay = Math.min(10_000, 500 * 2 ** nextAttempt);
    process.stdout.write(`${prefix}exited (${signal ?? code}); restarting in ${delay} ms\n`);
    setTimeout(() => run(proc, index, nextAttempt), delay);
  });
}

processes.forEach((p, i) => run(p, i));

const gatewayUrl = `http://127.0.0.1:${env.PORT ?? 8080}`;
(async () => {
  for (let i = 0; i < 120 && !stopping; i++) {
    try {
      const res = await fetch(`${gatewayUrl}/health`);
      const body = await res.json();
      if (body.status === 'ok') {
        process.stdout.write(`\nready: API ${gatewayUrl}/api/v1  docs ${gatewayUrl}/docs  websocket ws://127.0.0.1:${env.PORT ?? 8080}/ws\n\n`);
        return;
      }
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
})();

function shutdown() {
  if (stopping) return;
  stopping = true;
  process.stdout.write('\nstopping…\n');
  for (const p of processes) p.child?.kill('SIGTERM');
  const force = setTimeout(() => {
    for (const p of processes) p.child?.kill('SIGKILL');
    process.exit(1);
  }, 12_000);
  const check = setInterval(() => {
    if (processes.every((p) => !p.child)) {
      clearInterval(check);
      clearTimeout(force);
      process.exit(0);
    }
  }, 100);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
