import { type EventRecorder, type Stack, recordEvents, waitFor } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, newGroup, newUsers } from './helpers.js';
import { startChatStack } from './stack.js';

let stack: Stack;
let live: EventRecorder;
beforeAll(async () => {
  stack = await startChatStack();
  live = await recordEvents(stack, 'rt.user.>');
});
afterAll(async () => {
  await live?.close();
  await stack?.stop();
});

type Frame = { op: string; t: string; chatId?: string; d: Record<string, any> };
const framesTo = (userId: string) => live.received.filter((r) => r.subject.endsWith(`rt.user.${userId}`)).map((r) => r.event as unknown as Frame);
const frame = (userId: string, t: string, chatId: string) =>
  waitFor(() => framesTo(userId).find((f) => f.t === t && f.chatId === chatId), 5000, `${t} for ${userId}`);

describe('membership pushed to the members’ devices', () => {
  it('when a group is created, then every initial member gets chat.added with the chat as they see it', async () => {
    const [owner, m] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner, [m]);
    expect((await frame(owner.id, 'chat.added', chat.id)).d.chat).toMatchObject({ id: chat.id, myRole: 'owner' });
    expect((await frame(m.id, 'chat.added', chat.id)).d.chat).toMatchObject({ id: chat.id, myRole: 'member' });
  });

  it('when a member is added and later removed, then they get chat.added and then chat.removed', async () => {
    const [owner, m] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner);
    expect((await as(stack, owner).post(`/chats/${chat.id}/members`, { userIds: [m.id] })).status).toBe(201);
    expect((await frame(m.id, 'chat.added', chat.id)).d.chat.id).toBe(chat.id);
    expect((await as(stack, owner).delete(`/chats/${chat.id}/members/${m.id}`)).status).toBe(204);
    expect((await frame(m.id, 'chat.removed', chat.id)).d).toEqual({ chatId: chat.id });
    const ts = framesTo(m.id)
      .filter((f) => f.chatId === chat.id)
      .map((f) => f.t);
    expect(ts).toEqual(['chat.added', 'chat.removed']);
  });

  it('when a member leaves or the chat is deleted, then chat.removed reaches those concerned', async () => {
    const [owner, a, b] = await newUsers(stack, 3);
    const chat = await newGroup(stack, owner, [a, b]);
    expect((await as(stack, a).post(`/chats/${chat.id}/leave`)).status).toBe(204);
    await frame(a.id, 'chat.removed', chat.id);
    expect((await as(stack, owner).delete(`/chats/${chat.id}`)).status).toBe(204);
    await frame(owner.id, 'chat.removed', chat.id);
    await frame(b.id, 'chat.removed', chat.id);
  });

  it('when a member changes their settings of a chat, then their devices get chat.settings and nobody else does', async () => {
    const [owner, m] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner, [m]);
    expect((await as(stack, m).put(`/chats/${chat.id}/settings`, { pinned: true })).status).toBe(200);
    expect((await frame(m.id, 'chat.settings', chat.id)).d).toEqual({ chatId: chat.id, mutedUntil: null, pinned: true, archived: false });
    expect(framesTo(owner.id).some((f) => f.t === 'chat.settings')).toBe(false);
  });
});
