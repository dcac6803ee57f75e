// The processes the fan-out benchmark runs against: every service it needs, each its own process
// (built `dist`), on an isolated database and subject/key prefixes, with rate limits raised.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { TEST_NATS_URL, createIsolation } from '@chat/testkit';

const root = new URL('../../..', import.meta.url).pathname;
const PORTS = { auth: 19181, user: 19182, chat: 19183, message: 19184, media: 19185, presence: 19186, search: 19187, realtime: 19188, gateway: 19180 };
type Name = keyof typeof PORTS;
/**
 * The whole product, as `npm start` runs it; `BENCH_LIGHT=1` leaves out search and media (a lighter
 * configuration, reported as such).
 */
export const LIGHT = process.env.BENCH_LIGHT === '1';
const ORDER: Name[] = ['auth', 'user', 'chat', 'message', ...(LIGHT ? [] : (['media', 'search'] as Name[])), 'presence', 'realtime', 'gateway'];
const lots = '1000000000';

const ADMIN_KEY = 'platform-admin-key-for-the-fanout-bench';
/** Extra node flags for every service process, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);

export interface BenchStack {
  gatewayUrl: string;
  natsUrl: string;
  natsPrefix: string;
  realtimeUrl: string;
  /** The realtime node's ops listener (its /metrics); empty when unknown. */
  realtimeOpsUrl: string;
  /** Process ids by name, for CPU and memory readings (none for a stack this run did not start). */
  pids: Record<string, number>;
  adminKey: string;
  /** Stops the processes, then drops the run's database, Redis keys and event stream. */
  stop(): Promise<void>;
}

async function waitReady(url: string): Promise<void> {
  for (let i = 0; i < 240; i++) {
    if (
      await fetch(`${url}/ready`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} never became ready`);
}

/**
 * A stack already running elsewhere: `BENCH_TARGET_URL` is its gateway, `PLATFORM_ADMIN_KEY` its
 * admin key (its rate limits must allow the load), `BENCH_REALTIME_URL` a realtime node for the
 * idle phase. Only the infrastructure on this machine is metered.
 */
export function targetStack(): BenchStack | undefined {
  const gatewayUrl = process.env.BENCH_TARGET_URL;
  if (!gatewayUrl) return undefined;
  return {
    gatewayUrl,
    natsUrl: process.env.NATS_URL ?? TEST_NATS_URL,
    natsPrefix: process.env.NATS_PREFIX ?? '',
    realtimeUrl: process.env.BENCH_REALTIME_URL ?? '',
    realtimeOpsUrl: process.env.BENCH_REALTIME_OPS_URL ?? '',
    pids: {},
    adminKey: process.env.PLATFORM_ADMIN_KEY ?? '',
    stop: async () => undefined,
  };
}

/** Builds, then starts every service and the gateway (without search and media when `LIGHT`). */
export async function startBenchStack(extraEnv: Record<string, string> = {}): Promise<BenchStack> {
  // Its own database, key and subject prefixes and data folder, all removed by `stop`.
  const isolation = createIsolation();
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ...isolation.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    TURBO_TELEMETRY_DISABLED: '1',
    PLATFORM_ADMIN_KEY: ADMIN_KEY,
    DB_POOL_SIZE: '20',
    RATE_LIMIT_USER_PER_MINUTE: lots,
    RATE_LIMIT_IP_PER_MINUTE: lots,
    RATE_LIMIT_SERVER_PER_MINUTE: lots,
    RATE_LIMIT_REGISTER_PER_HOUR: lots,
    // Every bench socket comes from one address, up to 100 opening at once.
    WS_MAX_UNAUTHENTICATED_PER_IP: '100000',
    // As in production: responses are not checked against the contract (development does that).
    VALIDATE_RESPONSES: 'false',
    // The media service's embedded store in the run's own folder, on a free port.
    S3_EMBEDDED_PORT: '0',
    S3_EMBEDDED_DIR: join(isolation.dataDir, 's3'),
    ...Object.fromEntries(Object.entries(PORTS).map(([name, port]) => [`${name.toUpperCase()}_URL`, `http://127.0.0.1:${port}`])),
    ...extraEnv,
  };
  const order = ORDER;
  const filters = [...order, 'client'].map((name) => `--filter=@chat/${name}`);
  if (spawnSync('npx', ['turbo', 'run', 'build', '--output-logs=errors-only', ...filters], { cwd: root, stdio: 'inherit', env }).status !== 0)
    throw new Error('build failed');
  const children: { name: Name; child: ChildProcess }[] = [];
  // The gateway and realtime first, so the services they call are still there while they stop.
  const kill = () => [...children].reverse().forEach(({ child }) => child.exitCode === null && child.kill('SIGTERM'));
  process.on('exit', kill);
  const stop = async () => {
    const exited = children.map(({ child }) => (child.exitCode === null ? new Promise((r) => child.once('exit', r)) : undefined));
    kill();
    await Promise.all(exited);
    await isolation.cleanup();
  };
  for (const name of order) {
    const dir = name === 'gateway' ? join(root, 'gateway') : join(root, 'services', name);
    const child = spawn(process.execPath, [...NODE_ARGS, 'dist/main.js'], {
      cwd: dir,
      env: { ...env, PORT: String(PORTS[name]) },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    children.push({ name, child });
    await waitReady(`http://127.0.0.1:${PORTS[name]}`);
  }
  return {
    gatewayUrl: `http://127.0.0.1:${PORTS.gateway}`,
    natsUrl: env.NATS_URL ?? TEST_NATS_URL,
    natsPrefix: env.NATS_PREFIX!,
    realtimeUrl: `http://127.0.0.1:${PORTS.realtime}`,
    realtimeOpsUrl: `http://127.0.0.1:${PORTS.realtime + 1000}`,
    pids: Object.fromEntries(children.map(({ name, child }) => [name, child.pid!])),
    adminKey: ADMIN_KEY,
    stop,
  };
}
