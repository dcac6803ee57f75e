// CPU and memory of the processes a benchmark run involves, read from /proc: ours (by pid) and
// the infrastructure's (PostgreSQL, NATS, Redis, found by name), plus the whole machine.
import { readFileSync, readdirSync } from 'node:fs';

/** Infrastructure processes by the name the kernel knows them by. */
const INFRA: Record<string, string> = { postgres: 'postgres', 'nats-server': 'nats', 'redis-server': 'redis' };

/** CPU seconds used so far by a process (utime + stime), or undefined once it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

export function rssBytes(pid: number): number {
  return statusKb(pid, 'VmRSS') * 1024;
}

function statusKb(pid: number, field: string): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(field));
    return line ? Number(line.split(/\s+/)[1]) : 0;
  } catch {
    return 0;
  }
}

/** Proportional set size: a PostgreSQL backend's share of the shared buffers, not all of them. */
function pssBytes(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Pss:'));
    return line ? Number(line.split(/\s+/)[1]) * 1024 : rssBytes(pid);
  } catch {
    return rssBytes(pid);
  }
}

/** Infrastructure pids by group name (every PostgreSQL backend under `postgres`). */
function infraPids(): Map<number, string> {
  const out = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const name = INFRA[readFileSync(`/proc/${entry}/comm`, 'utf8').trim()];
      if (name) out.set(Number(entry), name);
    } catch {}
  }
  return out;
}

/** Busy CPU time of the whole machine so far, and the part the hypervisor took for others (steal), in seconds (from /proc/stat). */
function machineSeconds(): { busy: number; steal: number } {
  const [, user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
  return { busy: (user! + nice! + system! + irq! + softirq! + steal!) / 100, steal: steal! / 100 };
}

export interface Usage {
  /**
   * Cores used per process group over the window: each of ours, postgres, nats, redis, the load
   * generator and the machine; `steal` is what the hypervisor gave other guests meanwhile (a share
   * of `machine`; when it is high, the run measured a shared host as much as the system).
   */
  cores: Record<string, number>;
  /** Our processes together (services and gateway, not the load generator). */
  oursCores: number;
  /** Ours with PostgreSQL, NATS and Redis: what the system costs to run. */
  allCores: number;
  /** Memory at the end of the window, MB (PostgreSQL as the sum of its processes' proportional shares). */
  memoryMb: Record<string, number>;
}

/** Starts measuring now; `stop` returns the usage since. */
export function startMeter(ours: Record<string, number>): { stop(): Usage } {
  const infra = infraPids();
  const before = new Map<number, number>();
  for (const pid of [...Object.values(ours), ...infra.keys()]) before.set(pid, cpuSeconds(pid) ?? 0);
  const self = process.cpuUsage();
  const machine = machineSeconds();
  const started = performance.now();
  return {
    stop() {
      const seconds = (performance.now() - started) / 1000;
      const used = (pid: number) => Math.max(0, (cpuSeconds(pid) ?? before.get(pid) ?? 0) - (before.get(pid) ?? 0)) / seconds;
      const round = (n: number) => +n.toFixed(2);
      const cores: Record<string, number> = {};
      const memoryMb: Record<string, number> = {};
      for (const [name, pid] of Object.entries(ours)) {
        cores[name] = round(used(pid));
        memoryMb[name] = Math.round(rssBytes(pid) / 2 ** 20);
      }
      // Backends that started during the window count from zero.
      for (const [pid, name] of infraPids()) {
        if (!before.has(pid)) before.set(pid, 0);
        cores[name] = round((cores[name] ?? 0) + used(pid));
        memoryMb[name] = (memoryMb[name] ?? 0) + Math.round(pssBytes(pid) / 2 ** 20);
      }
      const bench = process.cpuUsage(self);
      cores.loadGenerator = round((bench.user + bench.system) / 1e6 / seconds);
      const now = machineSeconds();
      cores.machine = round((now.busy - machine.busy) / seconds);
      cores.steal = round((now.steal - machine.steal) / seconds);
      memoryMb.loadGenerator = Math.round(process.memoryUsage.rss() / 2 ** 20);
      const oursCores = round(Object.keys(ours).reduce((sum, name) => sum + (cores[name] ?? 0), 0));
      const allCores = round(oursCores + (cores.postgres ?? 0) + (cores.nats ?? 0) + (cores.redis ?? 0));
      return { cores, oursCores, allCores, memoryMb };
    },
  };
}
