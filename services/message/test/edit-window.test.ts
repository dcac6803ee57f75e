import type { Stack } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, expectProblem, newGroup, newUsers, send, waitFor } from './helpers.js';
import { startMessageStack } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  // A window of 0.36 s, so a test can outlive it.
  stack = await startMessageStack({ EDIT_WINDOW_HOURS: '0.0001' });
});
afterAll(() => stack?.stop());

describe('the edit window', () => {
  it('when the window has passed, then an edit gets edit_window_passed and the text stays', async () => {
    const [a] = await newUsers(stack, 1);
    const chat = await newGroup(stack, a);
    const msg = await send(stack, a, chat.id, { text: 'final' });
    const res = await waitFor(
      async () => {
        const r = await as(stack, a).patch(`/messages/${msg.id}`, { text: 'while open' });
        return r.status === 200 ? undefined : r;
      },
      5000,
      'the window to pass',
    );
    expectProblem(res, 422, 'edit_window_passed');
    expectProblem(await as(stack, a).patch(`/messages/${msg.id}`, { text: 'too late' }), 422, 'edit_window_passed');
    expect((await as(stack, a).get(`/messages/${msg.id}`)).body.text).not.toBe('too late');
  });
});
