import type { Stack } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, newGroup, newUsers, send, waitFor } from './helpers.js';
import { startMessageStack } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startMessageStack();
});
afterAll(() => stack?.stop());

describe('GET /chats with the message log', () => {
  it('when messages arrive, then each chat shows its last message, head seq and unread count, most recently active first', async () => {
    const [a, b] = await newUsers(stack, 2);
    const first = await newGroup(stack, a, [b], { name: 'first' });
    const second = await newGroup(stack, a, [b], { name: 'second' });
    await send(stack, a, second.id, { text: 'old news' });
    await send(stack, a, first.id, { text: 'one' });
    const latest = await send(stack, a, first.id, { text: 'two' });
    const list = await waitFor(
      async () => {
        const res = await as(stack, b).get('/chats');
        return res.body.data[0]?.id === first.id ? res.body.data : undefined;
      },
      5000,
      'first chat on top',
    );
    expect(list.map((c: any) => c.id)).toEqual([first.id, second.id]);
    expect(list[0]).toMatchObject({ lastSeq: 2, unreadCount: 2, lastMessage: { id: latest.id, text: 'two' } });
    expect(list[1]).toMatchObject({ lastSeq: 1, unreadCount: 1, lastMessage: { text: 'old news' } });
    expect((await as(stack, a).get(`/chats/${first.id}`)).body).toMatchObject({ lastSeq: 2, unreadCount: 0, lastMessage: { id: latest.id } });
    await as(stack, b).post(`/chats/${first.id}/read`, { seq: 2 });
    expect((await as(stack, b).get(`/chats/${first.id}`)).body.unreadCount).toBe(0);
  });

  it('when the last message is deleted for everyone, then the chat shows its tombstone', async () => {
    const [a] = await newUsers(stack, 1);
    const chat = await newGroup(stack, a);
    const msg = await send(stack, a, chat.id, { text: 'oops' });
    await as(stack, a).delete(`/messages/${msg.id}?for=everyone`);
    expect((await as(stack, a).get(`/chats/${chat.id}`)).body.lastMessage).toMatchObject({ id: msg.id, deleted: true, text: null });
  });
});
