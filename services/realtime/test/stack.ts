import { boot as bootAuth } from '@chat/auth';
import { boot as bootUser } from '@chat/user';
import { boot as bootChat } from '@chat/chat';
import { boot as bootGateway } from '@chat/gateway';
import type { BootFn } from '@chat/service-kit';
import { type RunningService, type Stack, startService, startStack } from '@chat/testkit';
import { boot as bootRealtime } from '../src/app.js';

export const ADMIN_KEY = 'platform-admin-key-for-realtime-tests-01';

export interface StackOptions {
  /** Run the message service (sends, sync). */
  message?: boolean;
  /** Run the presence service (typing, presence). */
  presence?: boolean;
  env?: Record<string, string>;
}

/** Auth, user, chat (and message, presence) plus one realtime node behind a gateway, isolated for one test file. */
export async function startRealtimeStack(opts: StackOptions = {}): Promise<Stack> {
  const services: Record<string, BootFn> = { auth: bootAuth, user: bootUser, chat: bootChat };
  // Loaded only when asked for, so the other test files do not depend on them.
  if (opts.message) services.message = (await import('@chat/message')).boot;
  if (opts.presence) services.presence = (await import('@chat/presence')).boot;
  services.realtime = bootRealtime;
  return startStack({
    gateway: bootGateway,
    services,
    env: {
      PLATFORM_ADMIN_KEY: ADMIN_KEY,
      RATE_LIMIT_REGISTER_PER_HOUR: '10000',
      RATE_LIMIT_LOGIN_PER_MINUTE: '10000',
      RATE_LIMIT_USER_PER_MINUTE: '100000',
      PRESENCE_SWEEP_INTERVAL_MS: '50',
      ...opts.env,
    },
  });
}

/** Another realtime node of the same deployment (its own port), as a second process would be. */
export function startRealtimeNode(stack: Stack, env: Record<string, string> = {}): Promise<RunningService> {
  return startService(bootRealtime, { ...stack.env, ...env });
}

/** A realtime node on a given port (a restart keeps the address the gateway proxies to). */
export function startRealtimeOn(stack: Stack, port: number, env: Record<string, string> = {}): Promise<RunningService> {
  return startService(bootRealtime, { ...stack.env, ...env }, port);
}

export const wsUrl = (httpUrl: string) => `${httpUrl.replace(/^http/, 'ws')}/ws`;
