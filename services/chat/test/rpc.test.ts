import type { Stack } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EventLog, as, newAppUser, newGroup, newUser, newUsers, setRole, watchEvents } from './helpers.js';
import { startChatStack } from './stack.js';

let stack: Stack;
let log: EventLog;
beforeAll(async () => {
  stack = await startChatStack();
  log = await watchEvents(stack);
});
afterAll(async () => {
  await log?.close();
  await stack?.stop();
});

describe('rpc.chat.authorize', () => {
  it('when asked about each role and action, then it answers from the permission table', async () => {
    const [owner, admin, mod, m] = await newUsers(stack, 4);
    const chat = await newGroup(stack, owner, [admin, mod, m]);
    await setRole(stack, owner, chat.id, admin.id, 'admin');
    await setRole(stack, owner, chat.id, mod.id, 'moderator');
    const ask = async (userId: string, action: string) =>
      (await log.rpc('rpc.chat.authorize', { appId: owner.appId, chatId: chat.id, userId, action })).data.allowed;
    const table = async (action: string) => Promise.all([owner, admin, mod, m].map((u) => ask(u.id, action)));
    expect(await table('post')).toEqual([true, true, true, true]);
    expect(await table('delete_others_messages')).toEqual([true, true, true, false]);
    expect(await table('pin')).toEqual([true, true, true, false]);
    expect(await table('moderate_chat')).toEqual([true, true, false, false]);
    expect(await table('delete_chat')).toEqual([true, false, false, false]);
    const answer = (await log.rpc('rpc.chat.authorize', { appId: owner.appId, chatId: chat.id, userId: m.id, action: 'read' })).data;
    expect(answer).toEqual({
      allowed: true,
      denial: null,
      chatType: 'group',
      role: 'member',
      banned: false,
      shadowBanned: false,
      frozen: false,
      slowModeSeconds: 0,
      slowModeExempt: false,
      truncatedAt: null,
      peerId: null,
    });
  });

  it('when asked about a direct chat, then it names the peer whose blocks apply', async () => {
    const [a, b] = await newUsers(stack, 2);
    const chat = (await as(stack, a).post('/chats', { type: 'direct', memberIds: [b.id] })).body;
    const answer = (await log.rpc('rpc.chat.authorize', { appId: a.appId, chatId: chat.id, userId: a.id, action: 'post' })).data;
    expect(answer).toMatchObject({ allowed: true, chatType: 'direct', peerId: b.id });
  });

  it('when the request is malformed, then a typed error reply comes back at once', async () => {
    const reply = await log.rpc('rpc.chat.authorize', { appId: 'x', chatId: crypto.randomUUID(), userId: crypto.randomUUID(), action: 'fly' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'validation_failed', status: 400 } });
  });
});

describe('rpc.chat.members and rpc.chat.user-chats', () => {
  it('when the members are paged, then every member comes once, in id order', async () => {
    const owner = await newUser(stack);
    const others = await newUsers(stack, 4);
    const chat = await newGroup(stack, owner, others);
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const reply: any = await log.rpc('rpc.chat.members', { appId: owner.appId, chatId: chat.id, limit: 2, ...(after ? { after } : {}) });
      seen.push(...reply.data.members.map((m: { userId: string }) => m.userId));
      after = reply.data.nextAfter;
    } while (after);
    expect(seen).toEqual([owner, ...others].map((u) => u.id).sort());
  });

  it('when the chat is unknown or of another app, then not_found', async () => {
    const owner = await newUser(stack);
    const chat = await newGroup(stack, owner);
    const foreign = await newAppUser(stack);
    expect(await log.rpc('rpc.chat.members', { appId: foreign.appId, chatId: chat.id })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('when a user’s chats are asked for, then the ids of the chats they are in now', async () => {
    const [u, other] = await newUsers(stack, 2);
    const kept = await newGroup(stack, u);
    const left = await newGroup(stack, other, [u]);
    expect((await as(stack, u).post(`/chats/${left.id}/leave`)).status).toBe(204);
    const reply = await log.rpc('rpc.chat.user-chats', { appId: u.appId, userId: u.id });
    expect(reply.data).toEqual({ chatIds: [kept.id], nextAfter: null });
    const foreign = await newAppUser(stack);
    expect((await log.rpc('rpc.chat.user-chats', { appId: foreign.appId, userId: u.id })).data.chatIds).toEqual([]);
  });
});
