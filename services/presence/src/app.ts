import { fileURLToPath } from 'node:url';
import { backgroundTasks, bootService, createRemoteVerifier, createServiceApp, type Platform, type ServiceHandle } from '@chat/service-kit';
import { consumeAccountDeletions } from './bus/account-deletion.consumer.js';
import { servePresenceRpcs } from './bus/presence.rpc.js';
import { type PresenceConfig, loadPresenceConfig } from './config.js';
import type { PresenceDeps } from './deps.js';
import { startSweeper } from './domain/sweep.js';
import { mountPresenceRoutes } from './http/presence.routes.js';
import { createPresenceMetrics } from './metrics.js';
import { LivePresence } from './store/devices.store.js';
import { TypingStore } from './store/typing.store.js';

export const SERVICE = 'presence';
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

/** An offline user's live state stays this long in Redis (the chosen status is kept in PostgreSQL). */
const OFFLINE_RETENTION_MS = 24 * 3600 * 1000;

export function createService(platform: Platform, config: PresenceConfig): ServiceHandle {
  const timing = {
    deviceTtl: config.PRESENCE_DEVICE_TTL_MS,
    awayAfter: config.PRESENCE_AWAY_AFTER_MS,
    grace: config.PRESENCE_OFFLINE_GRACE_MS,
    retention: OFFLINE_RETENTION_MS,
  };
  const live = new LivePresence(platform.redis, platform.keys, timing);
  const typing = new TypingStore(platform.redis, platform.keys, config.TYPING_TTL_MS, config.TYPING_MIN_INTERVAL_MS);
  const metrics = createPresenceMetrics(() => live.countOnline());
  const deps: PresenceDeps = { platform, config, metrics, live, typing };
  const app = createServiceApp(platform, {
    verifier: createRemoteVerifier(platform.bus, platform.revocations),
    metrics: (registry) => metrics.register(registry),
    routes: (mount) => mountPresenceRoutes(mount, deps),
  });
  return {
    app,
    ...backgroundTasks(async () => [...servePresenceRpcs(deps), await consumeAccountDeletions(deps), startSweeper(deps)]),
  };
}

/** Reads config from `env`, opens connections (migrating the schema) and builds the service. */
export const boot = bootService({ service: SERVICE, loadConfig: loadPresenceConfig, migrationsDir: MIGRATIONS_DIR, create: createService });
