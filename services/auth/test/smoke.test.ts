import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '@chat/testkit';
import { registerUser } from '@chat/testkit';
import { startAuthStack } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startAuthStack();
});
afterAll(() => stack?.stop());

describe('smoke', () => {
  it('registers and reads me', async () => {
    const u = await registerUser(stack.api);
    const me = await stack.api.get('/api/v1/auth/me', { token: u.accessToken });
    expect(me.status).toBe(200);
    expect(me.body.user.username).toBe(u.username);
  });
});
