import { boot as bootAuth } from '@chat/auth';
import { boot as bootGateway } from '@chat/gateway';
import { type Stack, startStack } from '@chat/testkit';

/** The auth service behind a gateway, isolated for one test file. */
export function startAuthStack(env: Record<string, string> = {}): Promise<Stack> {
  return startStack({ gateway: bootGateway, services: { auth: bootAuth }, env });
}
