import { expect } from 'vitest';
import { type Caller, as } from './assertions.js';
import type { Stack } from './stack.js';
import { type TestUser, registerUser, uniqueUsername } from './users.js';

type Tuple<T, N extends number, R extends T[] = []> = R['length'] extends N ? R : Tuple<T, N, [...R, T]>;

/** `n` fresh users, registered in parallel. */
export function newUsers<N extends number>(stack: Stack, n: N): Promise<Tuple<TestUser, N>> {
  return Promise.all(Array.from({ length: n }, () => registerUser(stack.api))) as Promise<Tuple<TestUser, N>>;
}

/** A group (or, with `extra.type`, a channel) owned by `owner` with `members`; returns the chat. */
export async function newGroup(stack: Stack, owner: Caller, members: Caller[] = [], extra: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const res = await as(stack, owner).post('/chats', { type: 'group', name: 'Group', memberIds: members.map((m) => m.id), ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** A user of a new app (tenant), minted by the app's backend; `adminKey` is the stack's platform admin key. */
export async function newAppUser(stack: Stack, adminKey: string): Promise<Caller & { appId: string }> {
  const app = await stack.api.post('/api/v1/admin/apps', { name: 'Other app' }, { headers: { 'x-admin-key': adminKey } });
  expect(app.status).toBe(201);
  const headers = { 'x-api-key': app.body.apiKey, 'x-api-secret': app.body.apiSecret };
  const res = await stack.api.post('/api/v1/server/token', { externalId: uniqueUsername('ext') }, { headers });
  expect(res.status).toBe(200);
  return { id: res.body.user.id, appId: app.body.app.id, accessToken: res.body.tokens.accessToken };
}
