import { SERVICE_NAMES } from '@chat/contracts';
import type { BootFn } from '@chat/service-kit';
import { ApiClient } from './client.js';
import { type Isolation, createIsolation } from './isolation.js';
import { type RunningService, startService } from './start.js';

export interface StackOptions {
  gateway: BootFn;
  /** Services by name (`auth`, `chat`, …); each is reachable by the gateway at `<NAME>_URL`. */
  services: Record<string, BootFn>;
  /** Extra env for every process (e.g. tighter limits for a rate-limit test). */
  env?: Record<string, string>;
}

export interface Stack {
  isolation: Isolation;
  env: Record<string, string>;
  gateway: RunningService;
  services: Record<string, RunningService>;
  /** Client for the gateway. */
  api: ApiClient;
  stop(): Promise<void>;
}

/**
 * Settings every test stack starts with. Test files run side by side on a busy machine, where a
 * send may wait longer than production's overload admission allows: tests of behaviour other than
 * admission must not see refusals for load (the admission tests set their own limits).
 */
const TEST_DEFAULTS: Record<string, string> = { SEND_QUEUE_TARGET_MS: '10000' };

/** Port 9 (discard) on loopback: nothing listens there, so a call to it is refused at once. */
const UNREACHABLE_URL = 'http://127.0.0.1:9';

/** Starts the named services and a gateway in front of them, isolated from every other test file. */
export async function startStack(opts: StackOptions): Promise<Stack> {
  const isolation = createIsolation();
  const env = { ...isolation.env, ...TEST_DEFAULTS, ...opts.env };
  // Services the stack does not run are nowhere: never whatever listens on their default ports
  // (a system started with `npm start` on the same machine).
  for (const name of SERVICE_NAMES) env[`${name.toUpperCase()}_URL`] ??= UNREACHABLE_URL;
  const services: Record<string, RunningService> = {};
  try {
    for (const [name, boot] of Object.entries(opts.services)) {
      services[name] = await startService(boot, env);
      env[`${name.toUpperCase()}_URL`] = services[name].url;
    }
    const gateway = await startService(opts.gateway, env);
    return {
      isolation,
      env,
      gateway,
      services,
      api: new ApiClient(gateway.url),
      async stop() {
        await gateway.stop();
        for (const s of Object.values(services)) await s.stop();
        await isolation.cleanup();
      },
    };
  } catch (err) {
    for (const s of Object.values(services)) await s.stop().catch(() => {});
    await isolation.cleanup();
    throw err;
  }
}
