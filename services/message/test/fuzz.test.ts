import fc from 'fast-check';
import { type Stack, type TestUser, encodeFuzzed as enc, expectNoServerError as expectSafe } from '@chat/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { as, newGroup, newUsers, send } from './helpers.js';
import { startMessageStack } from './stack.js';

/** Runs per property; FUZZ_RUNS=1000 searches deeper. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);

let stack: Stack;
let user: TestUser;
let chatId: string;
let messageId: string;
beforeAll(async () => {
  stack = await startMessageStack();
  [user] = await newUsers(stack, 1);
  chatId = (await newGroup(stack, user)).id;
  messageId = (await send(stack, user, chatId)).id;
});
afterAll(() => stack?.stop());

const KEYS = [
  'clientMessageId',
  'type',
  'text',
  'attachments',
  'replyToId',
  'quotedMessageId',
  'mentions',
  'silent',
  'forwardFromMessageId',
  'location',
  'contact',
  'poll',
  '__proto__',
  'constructor',
];
const anyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.constantFrom('', ' ', '\u0000', '\ud800', '\u202e', 'x'.repeat(5000), 'text', 'poll', 'system', '👍🏽'),
);
// The id is read when a value is drawn (inside the test), not when this module loads (before beforeAll).
const existingMessageId = fc.constant(null).map(() => messageId);
const anyValue = fc.oneof(anyString, fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }), existingMessageId);
const body = fc.dictionary(fc.constantFrom(...KEYS), anyValue, { maxKeys: 6 });

describe('fuzzed input', () => {
  it('when message bodies are arbitrary JSON, then never a 5xx and every error is problem+json', async () => {
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        expectSafe(await as(stack, user).post(`/chats/${chatId}/messages`, b));
        expectSafe(await as(stack, user).patch(`/messages/${messageId}`, b));
        expectSafe(await as(stack, user).post(`/messages/${messageId}/votes`, b));
      }),
      { numRuns: RUNS },
    );
  });

  it('when query strings and path segments are arbitrary, then never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(anyString, anyString, async (a, b) => {
        const q = `before=${enc(a)}&after=${enc(b)}&limit=${enc(b)}`;
        expectSafe(await as(stack, user).get(`/chats/${chatId}/messages?${q}`));
        expectSafe(await as(stack, user).get(`/chats/${chatId}/events?after=${enc(a)}`));
        expectSafe(await as(stack, user).delete(`/messages/${messageId}/reactions/${enc(a || 'x')}`));
        expectSafe(await as(stack, user).post(`/messages/${messageId}/reactions`, { emoji: a }));
      }),
      { numRuns: RUNS },
    );
  });
});
