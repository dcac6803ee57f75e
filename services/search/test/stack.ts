import { boot as bootAuth } from '@chat/auth';
import { boot as bootChat } from '@chat/chat';
import { boot as bootGateway } from '@chat/gateway';
import { boot as bootMessage } from '@chat/message';
import { boot as bootUser } from '@chat/user';
import { type Stack, startStack } from '@chat/testkit';
import { boot as bootSearch } from '../src/app.js';

export const ADMIN_KEY = 'platform-admin-key-for-search-tests-01';

/** Auth, user, chat, message and search behind a gateway, isolated for one test file. */
export function startSearchStack(env: Record<string, string> = {}): Promise<Stack> {
  return startStack({
    gateway: bootGateway,
    services: { auth: bootAuth, user: bootUser, chat: bootChat, message: bootMessage, search: bootSearch },
    env: {
      PLATFORM_ADMIN_KEY: ADMIN_KEY,
      RATE_LIMIT_REGISTER_PER_HOUR: '10000',
      RATE_LIMIT_LOGIN_PER_MINUTE: '10000',
      RATE_LIMIT_USER_PER_MINUTE: '100000',
      // Tests wait for users to become findable by searching again and again.
      RATE_LIMIT_USER_SEARCH_PER_MINUTE: '100000',
      ...env,
    },
  });
}
