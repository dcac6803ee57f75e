import { fileURLToPath } from 'node:url';
import { BaseConfig, type Platform, openPlatform, parseConfig } from '@chat/service-kit';
import { type Isolation, toolsNatsCredentials } from '@chat/testkit';
import { jetstream } from '@nats-io/jetstream';
import type { JsMsg } from '@nats-io/jetstream';

export const FIXTURE_MIGRATIONS = fileURLToPath(new URL('./fixtures/migrations', import.meta.url));
export const TEST_SERVICE = 'kittest';

export function openTestPlatform(isolation: Isolation, opts: { startRelay?: boolean } = {}): Promise<Platform> {
  // No service of the system: it connects as the operator, whose NATS user may use every subject.
  const tools = toolsNatsCredentials();
  const config = parseConfig(BaseConfig, { ...isolation.env, PORT: '0', NATS_USER: tools?.user, NATS_PASSWORD: tools?.pass });
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
