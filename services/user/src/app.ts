import { fileURLToPath } from 'node:url';
import { backgroundTasks, bootService, createRemoteVerifier, createServiceApp, type Platform, type ServiceHandle } from '@chat/service-kit';
import { consumeAccountEvents } from './bus/accounts.consumer.js';
import { serveBlockStatus, servePrivacy } from './bus/privacy.rpc.js';
import { type UserConfig, loadUserConfig } from './config.js';
import type { UserDeps } from './deps.js';
import { mountBlockRoutes, mountContactRoutes } from './http/contacts.routes.js';
import { mountOwnProfileRoutes, mountProfileRoutes } from './http/profile.routes.js';

export const SERVICE = 'user';
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

export function createService(platform: Platform, config: UserConfig): ServiceHandle {
  const deps: UserDeps = { platform, config };
  const verifier = createRemoteVerifier(platform.bus, platform.revocations);
  const app = createServiceApp(platform, {
    verifier,
    routes: (mount) => {
      // Every `/users/me…` route before `/users/:id`.
      mountOwnProfileRoutes(mount, deps);
      mountContactRoutes(mount, deps);
      mountBlockRoutes(mount, deps);
      mountProfileRoutes(mount, deps);
    },
  });
  return {
    app,
    ...backgroundTasks(async () => [servePrivacy(deps), serveBlockStatus(deps), ...(await consumeAccountEvents(deps))]),
  };
}

/** Reads config from `env`, opens connections (migrating the schema) and builds the service. */
export const boot = bootService({ service: SERVICE, loadConfig: loadUserConfig, migrationsDir: MIGRATIONS_DIR, create: createService });
