import { randomUUID } from 'node:crypto';
import {
  type ApiResponse,
  type Caller,
  type Stack,
  type TestUser,
  as,
  expectInvalid,
  newAppUser as newAppUserOf,
  newGroup,
  newUsers,
  waitFor,
} from '@chat/testkit';
import { expect } from 'vitest';
import { ADMIN_KEY } from './stack.js';

/** A user of a new app (tenant). */
export const newAppUser = (stack: Stack) => newAppUserOf(stack, ADMIN_KEY);
export { newGroup, newUsers };

export async function send(stack: Stack, who: Caller, chatId: string, text: string, extra: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const res = await as(stack, who).post(`/chats/${chatId}/messages`, { clientMessageId: randomUUID(), text, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** A unique word, so a test finds only its own messages. */
export const word = (prefix = 'w') => `${prefix}${randomUUID().replace(/-/g, '').slice(0, 10)}`;

const qs = (params: Record<string, string | number | boolean | undefined>) =>
  Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&');

export async function searchMessages(stack: Stack, who: Caller, params: Record<string, string | number | boolean | undefined>): Promise<ApiResponse> {
  return as(stack, who).get(`/search/messages?${qs(params)}`);
}

/** Ids of the messages `who` finds (expects 200). */
export async function foundIds(stack: Stack, who: Caller, params: Record<string, string | number | boolean | undefined>): Promise<string[]> {
  const res = await searchMessages(stack, who, params);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data.map((h: { id: string }) => h.id);
}

/** Waits until `who` finds exactly `ids` (in any order) for `params`. */
export function waitForHits(stack: Stack, who: Caller, params: Record<string, string | number | boolean | undefined>, ids: string[]): Promise<string[]> {
  const want = [...ids].sort().join();
  return waitFor(
    async () => {
      const found = await foundIds(stack, who, params);
      return [...found].sort().join() === want ? found : undefined;
    },
    8000,
    `search ${JSON.stringify(params)} to find ${ids.length} message(s)`,
  );
}

export async function search(stack: Stack, who: Caller, path: string, params: Record<string, string | number | boolean | undefined>): Promise<ApiResponse> {
  return as(stack, who).get(`${path}?${qs(params)}`);
}

export { as, expectInvalid, waitFor };
export type { Caller, TestUser };
