import type { Express } from 'express';
import type { Registry } from 'prom-client';

export type ReadinessCheck = () => Promise<unknown>;

const CHECK_TIMEOUT_MS = 2000;

async function runCheck(check: ReadinessCheck): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** `/health` (alive), `/ready` (dependencies reachable) and `/metrics` (Prometheus text). */
export interface OpsOptions {
  service: string;
  registry: Registry;
  checks: Record<string, ReadinessCheck>;
  health?: () => Promise<{ status: number; body: unknown }>;
}

/** Mounts `/health`, `/ready` and, when `withMetrics`, `/metrics`. */
export function mountOpsRoutes(app: Express, { service, registry, checks, health }: OpsOptions, withMetrics = true): void {
  app.get('/health', async (_req, res) => {
    if (!health) {
      res.json({ status: 'ok', service });
      return;
    }
    const report = await health();
    res.status(report.status).json(report.body);
  });
  app.get('/ready', async (_req, res) => {
    const names = Object.keys(checks);
    const results = await Promise.all(names.map((name) => runCheck(checks[name]!)));
    const report = Object.fromEntries(names.map((name, i) => [name, results[i] ? 'ok' : 'down']));
    const ready = results.every(Boolean);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', service, checks: report });
  });
  if (!withMetrics) return;
  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
}
