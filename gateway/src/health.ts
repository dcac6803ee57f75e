import type { ServiceName } from '@chat/contracts';

const HEALTH_TIMEOUT_MS = 1500;

async function probe(url: string): Promise<{ status: 'up' | 'down'; latencyMs: number }> {
  const started = performance.now();
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
    return { status: res.ok ? 'up' : 'down', latencyMs: Math.round(performance.now() - started) };
  } catch {
    return { status: 'down', latencyMs: Math.round(performance.now() - started) };
  }
}

/** The gateway is alive whatever its services do; the body says which of them answer. */
export async function healthReport(urls: Partial<Record<ServiceName, string>>, reported: ServiceName[]) {
  const results = await Promise.all(reported.map(async (name) => [name, await probe(urls[name]!)] as const));
  const services = Object.fromEntries(results);
  const allUp = results.every(([, r]) => r.status === 'up');
  return { status: 200, body: { status: allUp ? 'ok' : 'degraded', service: 'gateway', services } };
}
