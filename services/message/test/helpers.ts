import { randomUUID } from 'node:crypto';
import {
  type Caller,
  type Stack,
  type TestUser,
  as,
  closeStackDatabases,
  expectInvalid,
  expectProblem,
  newGroup,
  newAppUser as newAppUserOf,
  newUsers,
  recordEvents,
  stackDatabase,
  waitFor,
} from '@chat/testkit';
import { expect } from 'vitest';
import { ADMIN_KEY } from './stack.js';

export async function newDirect(stack: Stack, a: Caller, b: Caller): Promise<Record<string, any>> {
  const res = await as(stack, a).post('/chats', { type: 'direct', memberIds: [b.id] });
  expect([200, 201]).toContain(res.status);
  return res.body;
}

/** A user of a new app (tenant). */
export const newAppUser = (stack: Stack) => newAppUserOf(stack, ADMIN_KEY);

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
export async function waitForLogEntry(
  stack: Stack,
  who: Caller,
  chatId: string,
  type: string,
  match: (d: Record<string, any>) => boolean = () => true,
): Promise<Record<string, any>> {
  return waitFor(
    async () => (await eventsOf(stack, who, chatId)).data.find((e: any) => e.type === type && match(e.data)),
    5000,
    `${type} in the log of ${chatId}`,
  );
}

export const database = stackDatabase;
export const closeDatabases = closeStackDatabases;
export { as, expectInvalid, expectProblem, newGroup, newUsers, recordEvents, waitFor };
export type { Caller, TestUser };
