import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { boot as bootAuth } from '@chat/auth';
import { boot as bootChat } from '@chat/chat';
import { ChatClient, type ChatClientOptions, RestClient } from '@chat/client/node';
import { boot as bootGateway } from '@chat/gateway';
import { boot as bootMessage } from '@chat/message';
import { boot as bootRealtime } from '@chat/realtime';
import { type RunningService, type Stack, type TestUser, startService, startStack } from '@chat/testkit';
import { boot as bootUser } from '@chat/user';
import jwt from 'jsonwebtoken';

export const ADMIN_KEY = 'platform-admin-key-for-client-tests-01';

/** Gateway, auth, user, chat, message and one realtime node, isolated for one test file. */
export function startClientStack(env: Record<string, string> = {}): Promise<Stack> {
  return startStack({
    gateway: bootGateway,
    services: { auth: bootAuth, user: bootUser, chat: bootChat, message: bootMessage, realtime: bootRealtime },
    env: {
      PLATFORM_ADMIN_KEY: ADMIN_KEY,
      RATE_LIMIT_REGISTER_PER_HOUR: '10000',
      RATE_LIMIT_LOGIN_PER_MINUTE: '10000',
      RATE_LIMIT_REFRESH_PER_MINUTE: '10000',
      RATE_LIMIT_USER_PER_MINUTE: '100000',
      WS_OPS_PER_SECOND: '1000',
      WS_OPS_BURST: '1000',
      ...env,
    },
  });
}

/**
 * A realtime node of the stack on a given port (0: any), as a restarted process would come back.
 * Unlisted by default: tests that use it connect to it by URL, and other clients' directory
 * answers stay the stack's own node.
 */
export function startRealtimeOn(stack: Stack, port: number, env: Record<string, string> = {}): Promise<RunningService> {
  return startService(bootRealtime, { ...stack.env, REALTIME_LISTED: 'false', ...env }, port);
}

export const wsUrlOfNode = (node: RunningService) => `${node.url.replace(/^http/, 'ws')}/ws`;

const clients = new Set<ChatClient>();

/** A client signed in as the user; closed by `closeClients`. Short backoff keeps drills quick. */
export function clientFor(stack: Stack, user: TestUser, opts: Partial<ChatClientOptions> = {}): ChatClient {
  const client = new ChatClient({
    baseUrl: stack.gateway.url,
    tokens: { accessToken: user.accessToken, refreshToken: user.refreshToken },
    reconnectMinMs: 20,
    reconnectMaxMs: 200,
    sendRetryMinMs: 20,
    sendRetryMaxMs: 200,
    ...opts,
  });
  clients.add(client);
  return client;
}

export function closeClients(): void {
  for (const client of clients) client.close();
  clients.clear();
}

export function restFor(stack: Stack, user: TestUser): RestClient {
  return new RestClient({ baseUrl: stack.gateway.url, tokens: { accessToken: user.accessToken, refreshToken: user.refreshToken } });
}

/** The user's access token re-signed by the auth service's own key with an expiry in the past. */
export function expiredTokenOf(stack: Stack, user: TestUser): string {
  const key = readFileSync(join(stack.env.AUTH_KEYS_DIR!, 'auth-signing-key.pem'), 'utf8');
  const part = (i: number) => JSON.parse(Buffer.from(user.accessToken.split('.')[i]!, 'base64url').toString('utf8'));
  const { sub, app, sid } = part(1);
  const now = Math.floor(Date.now() / 1000);
  return jwt.sign({ sub, app, sid, iat: now - 1000, exp: now - 60 }, key, { algorithm: 'ES256', keyid: part(0).kid, issuer: 'chat-auth', audience: 'chat' });
}

/** Polls until `probe` holds (no sleeps in tests: wait for the state itself). */
export async function until(probe: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
