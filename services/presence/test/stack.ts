import { boot as bootAuth } from '@chat/auth';
import { boot as bootChat } from '@chat/chat';
import { boot as bootGateway } from '@chat/gateway';
import { boot as bootPresence } from '@chat/presence';
import { boot as bootUser } from '@chat/user';
import { type Stack, startStack } from '@chat/testkit';

export const ADMIN_KEY = 'platform-admin-key-for-presence-tests-01';

/**
 * Auth, user, chat and presence behind a gateway, isolated for one test file. `replicas: 2` runs a
 * second presence instance beside the first (same Redis, same queue group), as production would.
 */
export function startPresenceStack(env: Record<string, string> = {}, replicas = 1): Promise<Stack> {
  return startStack({
    gateway: bootGateway,
    services: { auth: bootAuth, user: bootUser, chat: bootChat, presence: bootPresence, ...(replicas > 1 ? { presence2: bootPresence } : {}) },
    env: {
      PLATFORM_ADMIN_KEY: ADMIN_KEY,
      RATE_LIMIT_REGISTER_PER_HOUR: '10000',
      RATE_LIMIT_LOGIN_PER_MINUTE: '10000',
      RATE_LIMIT_USER_PER_MINUTE: '100000',
      PRESENCE_SWEEP_INTERVAL_MS: '50',
      ...env,
    },
  });
}
