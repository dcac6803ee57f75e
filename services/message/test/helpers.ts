import { randomUUID } from 'node:crypto';
import { type Caller, type Stack, type TestUser, as, closeStackDatabases, expectInvalid, expectProblem, recordEvents, registerUser, stackDatabase, uniqueUsername, waitFor } from '@chat/testkit';
import { expect } from 'vitest';
import { ADMIN_KEY } from './stack.js';

type Tuple<T, N extends number, R extends T[] = []> = R['length'] extends N ? R : Tuple<T, N, [...R, T]>;

/** `n` fresh users, registered in parallel. */
export function newUsers<N extends number>(stack: Stack, n: N): Promise<Tuple<TestUser, N>> {
  return Promise.all(Array.from({ length: n }, () => registerUser(stack.api))) as Promise<Tuple<TestUser, N>>;
}

/** A group (or, with `type`, a channel) owned by `owner` with `members`, whose log is ready for messages. */
export async function newGroup(stack: Stack, owner: Caller, members: Caller[] = [], extra: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const res = await as(stack, owner).post('/chats', { type: 'group', name: 'Group', memberIds: members.map((m) => m.id), ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

export async function newDirect(stack: Stack, a: Caller, b: Caller): Promise<Record<string, any>> {
  const res = await as(stack, a).post('/chats', { type: 'direct', memberIds: [b.id] });
  expect([200, 201]).toContain(res.status);
  return res.body;
}

/** A user of a new app (tenant), minted by the app's backend. */
export async function newAppUser(stack: Stack): Promise<Caller & { appId: string }> {
  const app = await stack.api.post('/api/v1/admin/apps', { name: 'Other app' }, { headers: { 'x-admin-key': ADMIN_KEY } });
  expect(app.status).toBe(201);
  const headers = { 'x-api-key': app.body.apiKey, 'x-api-secret': app.body.apiSecret };
  const res = await stack.api.post('/api/v1/server/token', { externalId: uniqueUsername('ext') }, { headers });
  expect(res.status).toBe(200);
  return { id: res.body.user.id, appId: app.body.app.id, accessToken: res.body.tokens.accessToken };
}

export const clientId = () => randomUUID();

/** Sends a text message and expects 201. */
export async function send(stack: Stack, who: Caller, chatId: string, body: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const res = await as(stack, who).post(`/chats/${chatId}/messages`, { clientMessageId: clientId(), text: 'hello', ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** The chat's log as `who` reads it through the REST route. */
export async function eventsOf(stack: Stack, who: Caller, chatId: string, after = 0): Promise<Record<string, any>> {
  const res = await as(stack, who).get(`/chats/${chatId}/events?after=${after}&limit=1000`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/** Waits until the chat's log holds an entry of `type` (membership changes arrive from the chat service's events). */
export async function waitForLogEntry(stack: Stack, who: Caller, chatId: string, type: string, match: (d: Record<string, any>) => boolean = () => true): Promise<Record<string, any>> {
  return waitFor(async () => (await eventsOf(stack, who, chatId)).data.find((e: any) => e.type === type && match(e.data)), 5000, `${type} in the log of ${chatId}`);
}

export const database = stackDatabase;
export const closeDatabases = closeStackDatabases;
export { as, expectInvalid, expectProblem, recordEvents, waitFor };
export type { Caller, TestUser };
