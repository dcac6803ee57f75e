import type { Stack } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, newGroup, newUsers, send, waitForLogEntry } from './helpers.js';
import { startMessageStack } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startMessageStack();
});
afterAll(() => stack?.stop());

describe('account deletion', () => {
  it('when a member deletes their account, then they leave the chat in its log and their messages stay, attributed to them', async () => {
    const [owner, leaver] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner, [leaver]);
    const msg = await send(stack, leaver, chat.id, { text: 'goodbye' });
    const res = await stack.api.request('DELETE', '/api/v1/users/me', { token: leaver.accessToken, body: { password: leaver.password } });
    expect(res.status).toBe(204);
    const left = await waitForLogEntry(stack, owner, chat.id, 'member.left', (d) => d.userId === leaver.id);
    expect(left.data).toMatchObject({ reason: 'account_deleted' });
    expect((await as(stack, owner).get(`/messages/${msg.id}`)).body).toMatchObject({ senderId: leaver.id, text: 'goodbye' });
  });
});
