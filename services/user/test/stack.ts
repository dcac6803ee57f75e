import { boot as bootAuth } from '@chat/auth';
import { boot as bootGateway } from '@chat/gateway';
import { boot as bootUser } from '@chat/user';
import { type Stack, startStack } from '@chat/testkit';

export const ADMIN_KEY = 'platform-admin-key-for-user-tests-01';

/** Auth and user behind a gateway, isolated for one test file. */
export function startUserStack(env: Record<string, string> = {}): Promise<Stack> {
  return startStack({
    gateway: bootGateway,
    services: { auth: bootAuth, user: bootUser },
    env: { PLATFORM_ADMIN_KEY: ADMIN_KEY, RATE_LIMIT_REGISTER_PER_HOUR: '10000', RATE_LIMIT_LOGIN_PER_MINUTE: '10000', ...env },
  });
}
