import type { NatsConnection } from '@nats-io/transport-node';
import {
  type ApiResponse,
  type Caller,
  type Envelope,
  type Stack,
  type TestUser,
  as,
  closeStackDatabases,
  expectInvalid,
  expectProblem,
  newAppUser as newAppUserOf,
  newGroup,
  newUsers,
  recordEvents,
  registerUser,
  stackDatabase,
  waitFor,
} from '@chat/testkit';
import { expect } from 'vitest';
import { ADMIN_KEY } from './stack.js';

export function newUser(stack: Stack): Promise<TestUser> {
  return registerUser(stack.api);
}

/** Deletes the account through the user service (which publishes user.account.deleted). */
export function deleteAccount(stack: Stack, user: TestUser): Promise<ApiResponse> {
  return stack.api.request('DELETE', '/api/v1/users/me', { token: user.accessToken, body: { password: user.password } });
}

/** A user of a new app (tenant). */
export const newAppUser = (stack: Stack) => newAppUserOf(stack, ADMIN_KEY);

/** Sets the member's role through the owner (who must outrank the target). */
export async function setRole(stack: Stack, owner: Caller, chatId: string, userId: string, role: string): Promise<void> {
  const res = await as(stack, owner).patch(`/chats/${chatId}/members/${userId}`, { role });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

/** The member ids of a chat, as its owner lists them. */
export async function memberIds(stack: Stack, viewer: Caller, chatId: string): Promise<string[]> {
  const res = await as(stack, viewer).get(`/chats/${chatId}/members?limit=100`);
  expect(res.status).toBe(200);
  return res.body.data.map((m: { userId: string }) => m.userId).sort();
}

/** The test's own database, to check (and, for expiry, age) stored state. */
export const database = stackDatabase;
export const closeDatabases = closeStackDatabases;

/** Every event of this test's deployment under `evt.chat.>`, as it is published. */
export interface EventLog {
  nc: NatsConnection;
  /** Waits for the event of `type` whose data has the given fields (`chatId` also matches `data.chat.id`). */
  waitFor(type: string, data: Record<string, unknown>): Promise<Envelope>;
  /** Every event of `type` about the chat seen so far. */
  about(type: string, chatId: string): Envelope[];
  /** Calls an rpc of this deployment and returns the raw reply. */
  rpc(subject: string, body: unknown): Promise<any>;
  close(): Promise<void>;
}

export async function watchEvents(stack: Stack): Promise<EventLog> {
  const log = await recordEvents(stack, 'evt.chat.>');
  const events = () => log.received.map((r) => r.event);
  const field = (e: Envelope, key: string) => (key === 'chatId' ? (e.data.chatId ?? e.data.chat?.id) : e.data[key]);
  const matches = (e: Envelope, type: string, data: Record<string, unknown>) => e.type === type && Object.entries(data).every(([k, v]) => field(e, k) === v);
  return {
    nc: log.nc,
    waitFor: (type, data) => waitFor(() => events().find((e) => matches(e, type, data)), 5000, `${type} ${JSON.stringify(data)}`),
    about: (type, chatId) => events().filter((e) => e.type === type && field(e, 'chatId') === chatId),
    rpc: log.rpc,
    close: log.close,
  };
}

export { expectProblem, expectInvalid, as, newGroup, newUsers };
export type { Caller, Envelope };
