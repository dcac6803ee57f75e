import type { Stack } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, newGroup, newUsers, send } from './helpers.js';
import { startMessageStack } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startMessageStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe('smoke', () => {
  it('sends and reads', async () => {
    const [a, b] = await newUsers(stack, 2);
    const chat = await newGroup(stack, a, [b]);
    const m = await send(stack, a, chat.id);
    expect(m.seq).toBe(1);
    const h = await as(stack, b).get(`/chats/${chat.id}/messages`);
    expect(h.status).toBe(200);
    expect(h.body.data[0].id).toBe(m.id);
  });
});
