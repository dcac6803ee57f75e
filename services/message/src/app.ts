import { fileURLToPath } from 'node:url';
import { backgroundTasks, bootService, createRemoteVerifier, createServiceApp, type Platform, type ServiceHandle } from '@chat/service-kit';
import { consumeChatEvents } from './bus/chat-events.consumer.js';
import { serveMessageRpcs } from './bus/message.rpc.js';
import { type MessageConfig, loadMessageConfig } from './config.js';
import type { MessageDeps } from './deps.js';
import { ChatAccess } from './domain/chat-access.js';
import { SendBatcher } from './domain/send-batcher.js';
import { mountMessageRoutes } from './http/messages.routes.js';

export const SERVICE = 'message';
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

export function createService(platform: Platform, config: MessageConfig): ServiceHandle {
  const access = new ChatAccess(platform, config.AUTHORIZE_CACHE_MS, config.RPC_TIMEOUT_MS);
  const deps: MessageDeps = { platform, config, access, sends: new SendBatcher(platform, config.SEND_BATCH_MAX, config.SEND_CONCURRENCY) };
  const verifier = createRemoteVerifier(platform.bus, platform.revocations);
  const app = createServiceApp(platform, { verifier, routes: (mount) => mountMessageRoutes(mount, deps) });
  return {
    app,
    ...backgroundTasks(async () => {
      access.start();
      return [...serveMessageRpcs(deps), await consumeChatEvents(deps), { stop: async () => access.stop() }];
    }),
  };
}

/** Reads config from `env`, opens connections (migrating the schema) and builds the service. */
export const boot = bootService({ service: SERVICE, loadConfig: loadMessageConfig, migrationsDir: MIGRATIONS_DIR, create: createService });
