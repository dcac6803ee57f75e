import { type Metric, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The registry of one service instance, served on its ops listener's `/metrics`. One per instance
 * rather than prom-client's global one, so several services can share a process in tests; every
 * series carries the `service` label.
 */
export function createServiceRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * The metric `name` of `registry`, made by `make` the first time it is asked for: parts of the kit
 * that meet only at the registry (the bus, limiters, proxies) share one instrument that way.
 */
export function metricOn<M extends Metric<string>>(registry: Registry, name: string, make: (registers: Registry[]) => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? make([registry]);
}

export interface SamplerOptions {
  /** A value this fresh is served again without reading. */
  ttlMs: number;
  /** A read taking longer is given up: the scrape gets the last value instead of waiting. */
  timeoutMs: number;
}

/**
 * A value read at scrape time that must stay cheap: concurrent callers share one read, a value is
 * reused for `ttlMs`, and a read that fails or takes over `timeoutMs` yields the last value read
 * (undefined before the first), so a slow dependency never holds a scrape up.
 */
export function cachedSampler<T>(read: () => Promise<T>, opts: SamplerOptions): () => Promise<T | undefined> {
  let last: { at: number; value: T } | undefined;
  let inflight: Promise<T | undefined> | undefined;
  return () => {
    if (last && performance.now() - last.at < opts.ttlMs) return Promise.resolve(last.value);
    inflight ??= (async () => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), opts.timeoutMs);
      });
      try {
        const value = await Promise.race([read(), timeout]);
        last = { at: performance.now(), value };
        return value;
      } catch {
        return last?.value;
      } finally {
        clearTimeout(timer);
        inflight = undefined;
      }
    })();
    return inflight;
  };
}
