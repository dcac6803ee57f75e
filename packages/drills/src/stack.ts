// The system under a drill: every service as its own process (built `dist`), two realtime nodes,
// and the gateway, on an isolated database and prefixes. With `privateInfra` it also runs its own
// PostgreSQL, Redis and NATS, which the drill may kill, stop, flush or wipe.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createIsolation } from '@chat/testkit';
import pgPromise from 'pg-promise';
import { PrivateNats, PrivatePostgres, PrivateRedis } from './infra.js';
import { freePort, sleep } from './util.js';

const root = new URL('../../..', import.meta.url).pathname;
const SERVICES = ['auth', 'user', 'chat', 'message', 'presence'] as const;
type ServiceName = (typeof SERVICES)[number] | 'gateway' | `realtime${number}`;

export const ADMIN_KEY = 'platform-admin-key-for-the-fault-drills';
const lots = '1000000000';

export interface DrillStackOptions {
  /** Own PostgreSQL, Redis and NATS servers (for drills that break them). */
  privateInfra?: boolean;
  realtimeNodes?: number;
  env?: Record<string, string>;
}

interface Proc {
  name: ServiceName;
  dir: string;
  port: number;
  env: Record<string, string>;
  child?: ChildProcess;
}

const pgp = pgPromise({ noWarnings: true });

export class DrillStack {
  private readonly procs = new Map<ServiceName, Proc>();
  private db: pgPromise.IDatabase<unknown> | undefined;

  private constructor(
    readonly env: Record<string, string>,
    private readonly cleanup: () => Promise<void>,
    readonly infra: { nats?: PrivateNats; redis?: PrivateRedis; pg?: PrivatePostgres },
  ) {}

  /** Builds what is out of date, then starts the processes and waits until each is ready. */
  static async start(opts: DrillStackOptions = {}): Promise<DrillStack> {
    build();
    const isolation = createIsolation();
    const infra: DrillStack['infra'] = {};
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      ...isolation.env,
      LOG_LEVEL: process.env.DRILL_LOG_LEVEL ?? 'error',
      PLATFORM_ADMIN_KEY: ADMIN_KEY,
      DB_POOL_SIZE: '10',
      RATE_LIMIT_USER_PER_MINUTE: lots,
      RATE_LIMIT_IP_PER_MINUTE: lots,
      RATE_LIMIT_SERVER_PER_MINUTE: lots,
      RATE_LIMIT_REGISTER_PER_HOUR: lots,
      RATE_LIMIT_LOGIN_PER_MINUTE: lots,
      RATE_LIMIT_REFRESH_PER_MINUTE: lots,
      WS_OPS_PER_SECOND: '5000',
      WS_OPS_BURST: '5000',
      ...opts.env,
    };
    if (opts.privateInfra) {
      [infra.pg, infra.redis, infra.nats] = await Promise.all([PrivatePostgres.start(), PrivateRedis.start(), PrivateNats.start()]);
      env.DATABASE_URL = infra.pg.adminUrl.replace(/\/postgres$/, '/chat');
      env.REDIS_URL = infra.redis.url;
      env.NATS_URL = infra.nats.url;
    }
    const stopInfra = async () => {
      await Promise.all([infra.pg?.stop(), infra.redis?.stop(), infra.nats?.stop()]);
      if (!opts.privateInfra) await isolation.cleanup();
    };
    const stack = new DrillStack(env, stopInfra, infra);
    try {
      for (const name of SERVICES) await stack.define(name, join(root, 'services', name));
      for (let i = 0; i < (opts.realtimeNodes ?? 2); i++) await stack.define(`realtime${i}`, join(root, 'services', 'realtime'), { NODE_ID: `drill-rt-${i}` });
      await stack.define('gateway', join(root, 'gateway'));
      const ports = Object.fromEntries([...stack.procs.values()].map((p) => [p.name, p.port]));
      for (const name of SERVICES) env[`${name.toUpperCase()}_URL`] = `http://127.0.0.1:${ports[name]}`;
      env.REALTIME_URL = `http://127.0.0.1:${ports.realtime0}`;
      for (const proc of stack.procs.values()) await stack.launch(proc.name);
    } catch (err) {
      await stack.stop();
      throw err;
    }
    return stack;
  }

  private async define(name: ServiceName, dir: string, env: Record<string, string> = {}): Promise<void> {
    this.procs.set(name, { name, dir, port: await freePort(), env });
  }

  get gatewayUrl(): string {
    return this.urlOf('gateway');
  }

  /** The realtime nodes' own addresses (the gateway proxies `/ws` to node 0). */
  get realtimeUrls(): string[] {
    return [...this.procs.keys()].filter((n) => n.startsWith('realtime')).map((n) => this.urlOf(n));
  }

  urlOf(name: ServiceName): string {
    return `http://127.0.0.1:${this.proc(name).port}`;
  }

  pidOf(name: ServiceName): number | undefined {
    return this.proc(name).child?.pid;
  }

  /** Starts (or restarts) a process on its port and waits until it answers `/health`. */
  async launch(name: ServiceName, waitReady = true): Promise<void> {
    const proc = this.proc(name);
    const env = { ...this.env, ...proc.env, PORT: String(proc.port), OPS_PORT: '0' };
    proc.child = spawn(process.execPath, ['dist/main.js'], { cwd: proc.dir, env, stdio: ['ignore', 'inherit', 'inherit'] });
    if (waitReady) await this.waitReady(name);
  }

  async waitReady(name: ServiceName, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (
      !(await fetch(`${this.urlOf(name)}/health`).then(
        (r) => r.ok,
        () => false,
      ))
    ) {
      if (Date.now() > deadline) throw new Error(`${name} never became healthy`);
      await sleep(100);
    }
  }

  /** `kill -9` of one process: no shutdown hook runs. */
  async kill(name: ServiceName): Promise<void> {
    const child = this.proc(name).child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
  }

  /** SQL on the stack's own database (for fault injection and for checking what was committed). */
  sql(): pgPromise.IDatabase<unknown> {
    this.db ??= pgp({ connectionString: this.env.DATABASE_URL!, max: 2 });
    return this.db;
  }

  async stop(): Promise<void> {
    const running = [...this.procs.values()].reverse();
    await Promise.all(
      running.map(async ({ child }) => {
        if (!child || child.exitCode !== null || child.signalCode !== null) return;
        const gone = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await gone;
        clearTimeout(timer);
      }),
    );
    await this.db?.$pool.end();
    await this.cleanup();
  }

  private proc(name: ServiceName): Proc {
    const proc = this.procs.get(name);
    if (!proc) throw new Error(`no process named ${name}`);
    return proc;
  }
}

function build(): void {
  const filters = [...SERVICES, 'realtime', 'gateway'].map((name) => `--filter=@chat/${name}`);
  const result = spawnSync('npx', ['turbo', 'run', 'build', '--output-logs=errors-only', ...filters], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  });
  if (result.status !== 0) throw new Error('build failed');
}
