import type { Stack } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, closeDatabases, database, expectInvalid, expectProblem, newGroup, newUsers, recordEvents, send, waitFor } from './helpers.js';
import { startMessageStack } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startMessageStack();
});
afterAll(async () => {
  await closeDatabases();
  await stack?.stop();
});

const unreadOf = async (who: { id: string; accessToken: string }, chatId: string) =>
  ((await as(stack, who).get('/chats/unread')).body.chats as any[]).find((c) => c.chatId === chatId) ?? { unreadCount: 0, mentionCount: 0 };

describe('read state', () => {
  it('when others send, then unread counts them (not one’s own, not deleted), mentions separately, and reading resets it', async () => {
    const [a, b] = await newUsers(stack, 2);
    const chat = await newGroup(stack, a, [b]);
    await send(stack, a, chat.id, { text: 'one' });
    await send(stack, a, chat.id, { text: 'two @b', mentions: [b.id] });
    const gone = await send(stack, a, chat.id, { text: 'three' });
    expect(await unreadOf(b, chat.id)).toEqual({ chatId: chat.id, unreadCount: 3, mentionCount: 1 });
    expect((await unreadOf(a, chat.id)).unreadCount).toBe(0);
    await as(stack, a).delete(`/messages/${gone.id}?for=everyone`);
    expect((await unreadOf(b, chat.id)).unreadCount).toBe(2);
    expect((await as(stack, b).post(`/chats/${chat.id}/read`, { seq: gone.seq })).status).toBe(204);
    expect(await unreadOf(b, chat.id)).toEqual({ unreadCount: 0, mentionCount: 0 });
    const summary = (await as(stack, a).get('/chats/unread')).body;
    expect(summary.total).toBe(summary.chats.reduce((n: number, c: any) => n + c.unreadCount, 0));
  });

  it('when a member sends, then their own read marker moves to their message', async () => {
    const [a, b] = await newUsers(stack, 2);
    const chat = await newGroup(stack, a, [b]);
    await send(stack, a, chat.id);
    await send(stack, b, chat.id);
    expect((await unreadOf(b, chat.id)).unreadCount).toBe(0);
    expect((await unreadOf(a, chat.id)).unreadCount).toBe(1);
  });

  it('when a marker is moved back or past the head, then it never goes back and stops at the head', async () => {
    const [a, b] = await newUsers(stack, 2);
    const chat = await newGroup(stack, a, [b]);
    for (let i = 0; i < 3; i++) await send(stack, a, chat.id);
    await as(stack, b).post(`/chats/${chat.id}/read`, { seq: 3 });
    await as(stack, b).post(`/chats/${chat.id}/read`, { seq: 1 });
    await as(stack, b).post(`/chats/${chat.id}/delivered`, { seq: 1 });
    const row = await database(stack).one('SELECT read_seq, delivered_seq FROM message.members WHERE chat_id = $1 AND user_id = $2', [chat.id, b.id]);
    expect(row).toEqual({ read_seq: '3', delivered_seq: '3' });
    await as(stack, b).post(`/chats/${chat.id}/read`, { seq: 999 });
    expect((await database(stack).one('SELECT read_seq FROM message.members WHERE chat_id = $1 AND user_id = $2', [chat.id, b.id])).read_seq).toBe('3');
    expectInvalid(await as(stack, b).post(`/chats/${chat.id}/read`, { seq: -1 }), 'seq');
    expectInvalid(await as(stack, b).post(`/chats/${chat.id}/read`, { seq: 'x' }), 'seq');
  });

  it('when silent messages arrive, then they count as unread (configurable) but their mentions still count', async () => {
    const [a, b] = await newUsers(stack, 2);
    const chat = await newGroup(stack, a, [b]);
    await send(stack, a, chat.id, { silent: true, mentions: [b.id] });
    expect(await unreadOf(b, chat.id)).toMatchObject({ unreadCount: 1, mentionCount: 1 });
  });

  it('when members read and receive, then receipts list them with times; someone hiding read receipts is not listed and sees nobody', async () => {
    const [a, b, c] = await newUsers(stack, 3);
    const chat = await newGroup(stack, a, [b, c]);
    const msg = await send(stack, a, chat.id);
    await as(stack, b).post(`/chats/${chat.id}/read`, { seq: msg.seq });
    await as(stack, c).post(`/chats/${chat.id}/delivered`, { seq: msg.seq });
    const receipts = (await as(stack, a).get(`/messages/${msg.id}/receipts`)).body;
    expect(receipts.readBy).toEqual([{ userId: b.id, at: expect.any(String) }]);
    expect(receipts.deliveredTo.map((d: any) => d.userId).sort()).toEqual([b.id, c.id].sort());
    expect((await as(stack, b).patch('/users/me/settings', { privacy: { readReceipts: false } })).status).toBe(200);
    await waitFor(async () => ((await as(stack, a).get(`/messages/${msg.id}/receipts`)).body.readBy.length === 0 ? true : undefined), 5000, 'b hidden');
    await as(stack, c).post(`/chats/${chat.id}/read`, { seq: msg.seq });
    expect((await as(stack, b).get(`/messages/${msg.id}/receipts`)).body.readBy).toEqual([]);
  });

  it('when a member reads, then the chat hears read.updated and the reader’s devices unread.updated; with receipts off only the reader hears', async () => {
    const [a, b, shy] = await newUsers(stack, 3);
    const chat = await newGroup(stack, a, [b, shy]);
    const live = await recordEvents(stack, 'rt.>');
    const msg = await send(stack, a, chat.id);
    await as(stack, b).post(`/chats/${chat.id}/read`, { seq: msg.seq });
    const frames = () => live.received.map((r) => ({ subject: r.subject, frame: r.event as any }));
    await waitFor(
      () => frames().find((f) => f.subject.endsWith(`rt.chat.${chat.id}`) && f.frame.t === 'read.updated' && f.frame.d.userId === b.id),
      5000,
      'read.updated',
    );
    await waitFor(() => frames().find((f) => f.subject.endsWith(`rt.user.${b.id}`) && f.frame.t === 'unread.updated'), 5000, 'unread.updated');
    await as(stack, shy).patch('/users/me/settings', { privacy: { readReceipts: false } });
    await as(stack, shy).post(`/chats/${chat.id}/read`, { seq: msg.seq });
    await waitFor(() => frames().find((f) => f.subject.endsWith(`rt.user.${shy.id}`) && f.frame.t === 'read.updated'), 5000, 'private read.updated');
    expect(frames().some((f) => f.subject.endsWith(`rt.chat.${chat.id}`) && f.frame.t === 'read.updated' && f.frame.d.userId === shy.id)).toBe(false);
    await live.close();
  });

  it('when an outsider marks or reads unread of a chat, then 404 and the chat never appears in their counts', async () => {
    const [a, outsider] = await newUsers(stack, 2);
    const chat = await newGroup(stack, a);
    await send(stack, a, chat.id);
    expectProblem(await as(stack, outsider).post(`/chats/${chat.id}/read`, { seq: 1 }), 404, 'not_found');
    expectProblem(await as(stack, outsider).post(`/chats/${chat.id}/delivered`, { seq: 1 }), 404, 'not_found');
    expect((await as(stack, outsider).get('/chats/unread')).body).toEqual({ total: 0, chats: [] });
  });
});

describe('drafts', () => {
  it('when a draft is saved, then it is listed and pushed to the user’s devices; empty text clears it; outsiders get 404', async () => {
    const [a, outsider] = await newUsers(stack, 2);
    const chat = await newGroup(stack, a);
    const live = await recordEvents(stack, `rt.user.${a.id}`);
    const saved = await as(stack, a).put(`/chats/${chat.id}/draft`, { text: 'half a thought' });
    expect(saved.body).toEqual({ chatId: chat.id, text: 'half a thought', updatedAt: expect.any(String) });
    expect((await as(stack, a).get('/drafts')).body.data).toEqual([saved.body]);
    await waitFor(() => live.received.find((r) => (r.event as any).t === 'draft.updated'), 5000, 'draft.updated');
    await as(stack, a).put(`/chats/${chat.id}/draft`, { text: '' });
    expect((await as(stack, a).get('/drafts')).body.data).toEqual([]);
    expectProblem(await as(stack, outsider).put(`/chats/${chat.id}/draft`, { text: 'x' }), 404, 'not_found');
    expectInvalid(await as(stack, a).put(`/chats/${chat.id}/draft`, { text: 'x'.repeat(4097) }), 'text');
    await live.close();
  });
});
