import { fileURLToPath } from 'node:url';
import type { Express } from 'express';
import { BaseConfig, type Platform, createHttpApp, listen, openPlatform, opsAppOf, parseConfig } from '@chat/service-kit';
import { type Isolation, toolsNatsCredentials } from '@chat/testkit';
import { jetstream } from '@nats-io/jetstream';
import type { JsMsg } from '@nats-io/jetstream';

export const FIXTURE_MIGRATIONS = fileURLToPath(new URL('./fixtures/migrations', import.meta.url));
export const TEST_SERVICE = 'kittest';

export function openTestPlatform(isolation: Isolation, opts: { startRelay?: boolean; env?: Record<string, string> } = {}): Promise<Platform> {
  // No service of the system: it connects as the operator, whose NATS user may use every subject.
  const tools = toolsNatsCredentials();
  const config = parseConfig(BaseConfig, { ...isolation.env, PORT: '0', NATS_USER: tools?.user, NATS_PASSWORD: tools?.pass, ...opts.env });
  return openPlatform({ service: TEST_SERVICE, config, migrationsDir: FIXTURE_MIGRATIONS, startRelay: opts.startRelay });
}

/** Every message now stored in the platform's event stream, in stream order. */
export async function streamMessages(platform: Platform): Promise<JsMsg[]> {
  const info = await platform.bus.jsm.streams.info(platform.bus.streamName);
  const total = info.state.messages;
  if (total === 0) return [];
  const consumer = await jetstream(platform.bus.nc).consumers.get(platform.bus.streamName);
  const out: JsMsg[] = [];
  const batch = await consumer.fetch({ max_messages: total, expires: 2000 });
  for await (const m of batch) {
    out.push(m);
    if (out.length === total) break;
  }
  return out;
}

/** The platform's HTTP app (with `routes`) on a free port, and its ops listener's `/metrics`. */
export async function serveWithOps(platform: Platform, routes: (app: Express) => void = () => {}) {
  const app = createHttpApp({
    service: platform.service,
    logger: platform.logger,
    bodyLimit: '1kb',
    trustProxy: 'loopback',
    readiness: {},
    registry: platform.registry,
    routes,
  });
  const server = await listen(app, 0, '127.0.0.1');
  const ops = await listen(opsAppOf(app)!, 0, '127.0.0.1');
  return {
    url: server.url,
    metrics: async () => (await fetch(`${ops.url}/metrics`)).text(),
    async close() {
      await server.close(100);
      await ops.close(100);
    },
  };
}

/** The value of one series (`name{label="v"}`, labels in any order, others ignored) in Prometheus text; undefined when absent. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = (match[2] ?? '').split(',');
    if (wanted.every((w) => present.includes(w))) return Number(match[3]);
  }
  return undefined;
}
