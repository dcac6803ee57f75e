import { fileURLToPath } from 'node:url';
import { backgroundTasks, bootService, createRemoteVerifier, createServiceApp, type Platform, type ServiceHandle } from '@chat/service-kit';
import { consumeAccountDeletions } from './bus/account-deletion.consumer.js';
import { serveAuthorize, serveMembers, serveUserChats } from './bus/chat.rpc.js';
import { consumeMembershipForLive } from './bus/live-membership.consumer.js';
import { consumeMessageActivity } from './bus/message-activity.consumer.js';
import { type ChatConfig, loadChatConfig } from './config.js';
import type { ChatDeps } from './deps.js';
import { mountChatRoutes } from './http/chats.routes.js';
import { mountMemberRoutes } from './http/members.routes.js';
import { mountModerationRoutes } from './http/moderation.routes.js';

export const SERVICE = 'chat';
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

export function createService(platform: Platform, config: ChatConfig): ServiceHandle {
  const deps: ChatDeps = { platform, config };
  const verifier = createRemoteVerifier(platform.bus, platform.revocations);
  const app = createServiceApp(platform, {
    verifier,
    routes: (mount) => {
      mountChatRoutes(mount, deps);
      mountMemberRoutes(mount, deps);
      mountModerationRoutes(mount, deps);
    },
  });
  return {
    app,
    ...backgroundTasks(async () => [
      serveAuthorize(deps),
      serveMembers(deps),
      serveUserChats(deps),
      await consumeAccountDeletions(deps),
      await consumeMembershipForLive(deps),
      await consumeMessageActivity(deps),
    ]),
  };
}

/** Reads config from `env`, opens connections (migrating the schema) and builds the service. */
export const boot = bootService({ service: SERVICE, loadConfig: loadChatConfig, migrationsDir: MIGRATIONS_DIR, create: createService });
