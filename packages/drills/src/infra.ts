// Private PostgreSQL, Redis and NATS servers for the drills that stop, kill or wipe them, so a drill
// never touches the machine's own servers. Each runs on its own port with its data in a temp folder.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, sleep } from './util.js';

/** Resolves once something accepts TCP connections on the port. */
export async function waitForPort(port: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port}`);
    await sleep(100);
  }
}

/** Waits until the process has exited (after a kill). */
function exited(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export class PrivateNats {
  readonly storeDir = mkdtempSync(join(tmpdir(), 'drill-nats-'));
  private child: ChildProcess | undefined;
  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateNats> {
    const nats = new PrivateNats(await freePort());
    await nats.start();
    return nats;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir], { stdio: 'ignore' });
    await waitForPort(this.port);
  }

  /** `kill -9`: no flush, no goodbye to clients. */
  async kill(): Promise<void> {
    this.child?.kill('SIGKILL');
    await exited(this.child);
  }

  /** Deletes everything JetStream stored (streams, consumers, messages); only while stopped. */
  wipe(): void {
    for (const entry of readdirSync(this.storeDir)) rmSync(join(this.storeDir, entry), { recursive: true, force: true });
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.storeDir, { recursive: true, force: true });
  }
}

export class PrivateRedis {
  private child: ChildProcess | undefined;
  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(this.port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await waitForPort(this.port);
  }

  /** Everything Redis held is gone, as after a restart without persistence. */
  flush(): void {
    spawnSync('redis-cli', ['-p', String(this.port), 'FLUSHALL']);
  }

  async kill(): Promise<void> {
    this.child?.kill('SIGKILL');
    await exited(this.child);
  }

  stop(): Promise<void> {
    return this.kill();
  }
}

/** A throwaway PostgreSQL cluster (trust auth, run as the `postgres` OS user when we are root). */
export class PrivatePostgres {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'drill-pg-'));
  private child: ChildProcess | undefined;
  private constructor(readonly port: number) {}

  static async start(): Promise<PrivatePostgres> {
    const pg = new PrivatePostgres(await freePort());
    pg.initdb();
    await pg.start();
    return pg;
  }

  get adminUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private asPostgres(bin: string, args: string[]): [string, string[]] {
    const path = join(postgresBinDir(), bin);
    return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
  }

  private initdb(): void {
    if (process.getuid?.() === 0) chownSync(this.dataDir, postgresUid(), postgresGid());
    const [cmd, args] = this.asPostgres('initdb', ['-D', this.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    const result = spawnSync(cmd, args, { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`initdb failed: ${result.stderr}`);
  }

  async start(): Promise<void> {
    const [cmd, args] = this.asPostgres('postgres', [
      '-D',
      this.dataDir,
      '-p',
      String(this.port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=on',
      '-c',
      'max_connections=300',
      '-k',
      this.dataDir,
    ]);
    this.child = spawn(cmd, args, { stdio: 'ignore' });
    await waitForPort(this.port);
    // Accepting TCP is not yet accepting queries: wait for the end of recovery.
    for (let i = 0; i < 100; i++) {
      const [isready, isreadyArgs] = this.asPostgres('pg_isready', ['-h', '127.0.0.1', '-p', String(this.port)]);
      if (spawnSync(isready, isreadyArgs).status === 0) return;
      await sleep(100);
    }
  }

  /** Stops the server the hard way: every backend killed, crash recovery on the next start. */
  async kill(): Promise<void> {
    const [cmd, args] = this.asPostgres('pg_ctl', ['stop', '-D', this.dataDir, '-m', 'immediate', '-w']);
    spawnSync(cmd, args);
    await exited(this.child);
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

function postgresBinDir(): string {
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  return join('/usr/lib/postgresql', versions[0]!, 'bin');
}

function postgresUid(): number {
  return Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
}

function postgresGid(): number {
  return Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
}
