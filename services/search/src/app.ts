import { fileURLToPath } from 'node:url';
import { backgroundTasks, bootService, createRemoteVerifier, createServiceApp, type Platform, type ServiceHandle } from '@chat/service-kit';
import { consumeChats } from './bus/chats.consumer.js';
import { consumeMessages } from './bus/messages.consumer.js';
import { consumeAccounts, consumeProfiles } from './bus/users.consumer.js';
import { type SearchConfig, loadSearchConfig } from './config.js';
import type { SearchDeps } from './deps.js';
import { mountSearchRoutes } from './http/search.routes.js';
import { createSearchMetrics } from './metrics.js';

export const SERVICE = 'search';
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

export function createService(platform: Platform, config: SearchConfig): ServiceHandle {
  const deps: SearchDeps = { platform, config, metrics: createSearchMetrics() };
  const verifier = createRemoteVerifier(platform.bus, platform.revocations);
  const app = createServiceApp(platform, {
    verifier,
    routes: (mount) => mountSearchRoutes(mount, deps),
    metrics: (registry) => deps.metrics.register(registry),
  });
  return {
    app,
    ...backgroundTasks(async () => Promise.all([consumeAccounts(deps), consumeProfiles(deps), consumeChats(deps), consumeMessages(deps)])),
  };
}

/** Reads config from `env`, opens connections (migrating the schema) and builds the service. */
export const boot = bootService({ service: SERVICE, loadConfig: loadSearchConfig, migrationsDir: MIGRATIONS_DIR, create: createService });
