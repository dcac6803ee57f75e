import { fileURLToPath } from 'node:url';
import { backgroundTasks, bootService, createRemoteVerifier, createServiceApp, type Platform, type ServiceHandle } from '@chat/service-kit';
import { consumeChatEvents } from './bus/chat-events.consumer.js';
import { serveMessageRpcs } from './bus/message.rpc.js';
import { type MessageConfig, loadMessageConfig } from './config.js';
import type { MessageDeps } from './deps.js';
import { ChatAccess } from './domain/chat-access.js';
import { SendBatcher } from './domain/send-batcher.js';
import { mountMessageRoutes } from './http/messages.routes.js';
import { createMessageMetrics } from './metrics.js';

export const SERVICE = 'message';
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

export function createService(platform: Platform, config: MessageConfig): ServiceHandle {
  const access = new ChatAccess(platform.bus, config.AUTHORIZE_CACHE_MS, config.RPC_TIMEOUT_MS);
  const metrics = createMessageMetrics();
  const sends = new SendBatcher(
    platform,
    { maxBatch: config.SEND_BATCH_MAX, maxConcurrent: config.SEND_CONCURRENCY, targetWaitMs: config.SEND_QUEUE_TARGET_MS, maxWaiting: config.SEND_QUEUE_MAX },
    (reason) => metrics.sendsRefused.inc({ reason }),
  );
  const deps: MessageDeps = { platform, config, access, sends };
  const verifier = createRemoteVerifier(platform.bus, platform.revocations);
  const app = createServiceApp(platform, {
    verifier,
    routes: (mount) => mountMessageRoutes(mount, deps),
    metrics: (registry) => metrics.register(registry, sends),
  });
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
