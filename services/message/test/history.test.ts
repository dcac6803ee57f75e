import type { Stack } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, closeDatabases, eventsOf, expectInvalid, expectProblem, newAppUser, newGroup, newUsers, send, waitForLogEntry } from './helpers.js';
import { startMessageStack } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startMessageStack();
});
afterAll(async () => {
  await closeDatabases();
  await stack?.stop();
});

const texts = (res: { body: { data: { text: string | null }[] } }) => res.body.data.map((m) => m.text);

describe('GET /chats/:id/messages', () => {
  it('when history is paged, then newest first by default, `before` pages back, `after` reads forward oldest first', async () => {
    const [a] = await newUsers(stack, 1);
    const chat = await newGroup(stack, a);
    for (let i = 1; i <= 6; i++) await send(stack, a, chat.id, { text: `t${i}` });
    const newest = await as(stack, a).get(`/chats/${chat.id}/messages?limit=2`);
    expect(texts(newest)).toEqual(['t6', 't5']);
    expect(newest.body.hasMore).toBe(true);
    expect(texts(await as(stack, a).get(`/chats/${chat.id}/messages?before=5&limit=2`))).toEqual(['t4', 't3']);
    expect(texts(await as(stack, a).get(`/chats/${chat.id}/messages?after=2&limit=2`))).toEqual(['t3', 't4']);
    expect(texts(await as(stack, a).get(`/chats/${chat.id}/messages?after=1&before=4`))).toEqual(['t3', 't2']);
    const end = await as(stack, a).get(`/chats/${chat.id}/messages?before=2`);
    expect(texts(end)).toEqual(['t1']);
    expect(end.body.hasMore).toBe(false);
    expectInvalid(await as(stack, a).get(`/chats/${chat.id}/messages?limit=101`), 'query.limit');
    expectInvalid(await as(stack, a).get(`/chats/${chat.id}/messages?before=x`), 'query.before');
    expectInvalid(await as(stack, a).get(`/chats/${chat.id}/messages?since=2026-01-01`), 'query.since');
  });

  it('when messages carry reactions, then a history page shows each one’s counts as its reader sees them, in order of first use', async () => {
    const [a, b] = await newUsers(stack, 2);
    const chat = await newGroup(stack, a, [b]);
    const first = await send(stack, a, chat.id, { text: 'first' });
    const second = await send(stack, a, chat.id, { text: 'second' });
    const react = async (who: typeof a, id: string, emoji: string) =>
      expect((await as(stack, who).post(`/messages/${id}/reactions`, { emoji })).status).toBe(200);
    await react(b, first.id, '🎉');
    await react(a, first.id, '👍');
    await react(b, first.id, '👍');
    await react(a, second.id, '❤️');
    const pageOf = async (who: typeof a) => (await as(stack, who).get(`/chats/${chat.id}/messages`)).body.data.map((m: any) => [m.text, m.reactions]);
    expect(await pageOf(a)).toEqual([
      ['second', [{ emoji: '❤️', count: 1, me: true }]],
      [
        'first',
        [
          { emoji: '🎉', count: 1, me: false },
          { emoji: '👍', count: 2, me: true },
        ],
      ],
    ]);
    expect(await pageOf(b)).toEqual([
      ['second', [{ emoji: '❤️', count: 1, me: false }]],
      [
        'first',
        [
          { emoji: '🎉', count: 1, me: true },
          { emoji: '👍', count: 2, me: true },
        ],
      ],
    ]);
    expect((await as(stack, b).get(`/messages/${first.id}`)).body.reactions).toEqual((await pageOf(b))[1]![1]);
  });

  it('when the chat is truncated, then earlier messages are gone from history, the log and by id, later ones stay', async () => {
    const [owner, m] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner, [m]);
    const old = await send(stack, owner, chat.id, { text: 'old' });
    expect((await as(stack, owner).post(`/chats/${chat.id}/truncate`)).status).toBe(200);
    await waitForLogEntry(stack, owner, chat.id, 'chat.truncated');
    await send(stack, m, chat.id, { text: 'new' });
    expect(texts(await as(stack, m).get(`/chats/${chat.id}/messages`))).toEqual(['new']);
    expectProblem(await as(stack, m).get(`/messages/${old.id}`), 404, 'not_found');
    const log = await eventsOf(stack, m, chat.id);
    expect(log.data.map((e: any) => e.type)).toEqual(['chat.truncated', 'message.created']);
  });

  it('when a member deletes a message for themself, then only their history loses it', async () => {
    const [a, b] = await newUsers(stack, 2);
    const chat = await newGroup(stack, a, [b]);
    const msg = await send(stack, a, chat.id, { text: 'mine' });
    expect((await as(stack, b).delete(`/messages/${msg.id}?for=me`)).status).toBe(204);
    expect(texts(await as(stack, b).get(`/chats/${chat.id}/messages`))).toEqual([]);
    expect(texts(await as(stack, a).get(`/chats/${chat.id}/messages`))).toEqual(['mine']);
    expectProblem(await as(stack, b).get(`/messages/${msg.id}`), 404, 'not_found');
    expect((await eventsOf(stack, b, chat.id)).data).toEqual([]);
  });

  it('when an outsider, a removed member or another app’s user reads history or a message by id, then 404', async () => {
    const [owner, outsider, removed] = await newUsers(stack, 3);
    const stranger = await newAppUser(stack);
    const chat = await newGroup(stack, owner, [removed]);
    const msg = await send(stack, owner, chat.id);
    expect((await as(stack, owner).delete(`/chats/${chat.id}/members/${removed.id}`)).status).toBe(204);
    await waitForLogEntry(stack, owner, chat.id, 'member.removed');
    for (const who of [outsider, removed, stranger]) {
      expectProblem(await as(stack, who).get(`/chats/${chat.id}/messages`), 404, 'not_found');
      expectProblem(await as(stack, who).get(`/messages/${msg.id}`), 404, 'not_found');
      expectProblem(await as(stack, who).get(`/messages/${msg.id}/replies`), 404, 'not_found');
      expectProblem(await as(stack, who).get(`/chats/${chat.id}/pins`), 404, 'not_found');
    }
    expectProblem(await as(stack, owner).get('/messages/00000000-0000-7000-8000-00000000abcd'), 404, 'not_found');
  });
});
