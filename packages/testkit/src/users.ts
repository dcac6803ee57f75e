import { randomBytes } from 'node:crypto';
import type { ApiClient } from './client.js';

export interface TestUser {
  id: string;
  appId: string;
  username: string;
  password: string;
  email: string;
  accessToken: string;
  refreshToken: string;
}

let counter = 0;

/** A fresh unique username for this process. */
export function uniqueUsername(prefix = 'user'): string {
  counter += 1;
  return `${prefix}_${counter}_${randomBytes(3).toString('hex')}`;
}

/** Registers a new user through the gateway and returns its credentials and tokens. */
export async function registerUser(api: ApiClient, overrides: Record<string, unknown> = {}): Promise<TestUser> {
  const username = uniqueUsername();
  const body = { username, password: 'correct horse battery', email: `${username}@example.test`, ...overrides };
  const res = await api.post('/api/v1/auth/register', body);
  if (res.status !== 201) throw new Error(`registration failed: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    id: res.body.user.id,
    appId: res.body.user.appId,
    username: res.body.user.username,
    password: String(body.password),
    email: String(body.email),
    accessToken: res.body.tokens.accessToken,
    refreshToken: res.body.tokens.refreshToken,
  };
}
