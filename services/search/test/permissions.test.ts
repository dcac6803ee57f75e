import type { Stack } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestUser, as, foundIds, newAppUser, newGroup, newUsers, send, waitForHits, word } from './helpers.js';
import { startSearchStack } from './stack.js';

let stack: Stack;
let owner: TestUser;
let member: TestUser;
beforeAll(async () => {
  // Every rule is checked on the path members of many chats take (the other path: messages.test.ts).
  stack = await startSearchStack({ SEARCH_PER_CHAT_MAX: '0' });
  [owner, member] = await newUsers(stack, 2);
});
afterAll(() => stack?.stop());

/** A fresh group of owner and member with one message the member has been seen to find. */
async function indexedMessage(text = word('t')) {
  const chatId = (await newGroup(stack, owner, [member])).id;
  const m = await send(stack, owner, chatId, `${text} here`);
  await waitForHits(stack, member, { q: text }, [m.id]);
  return { chatId, m, text };
}

describe('who finds a message', () => {
  it('when an outsider searches for a message of a chat they are not in, then it is never a hit', async () => {
    const [outsider] = await newUsers(stack, 1);
    const { chatId, text } = await indexedMessage();
    expect(await foundIds(stack, outsider, { q: text })).toEqual([]);
    expect(await foundIds(stack, outsider, { q: text, chatId })).toEqual([]);
    expect(await foundIds(stack, outsider, { chatId })).toEqual([]);
  });

  it('when a member is removed, then they stop finding its messages; added back, they find them again', async () => {
    const { chatId, m, text } = await indexedMessage();
    expect((await as(stack, owner).delete(`/chats/${chatId}/members/${member.id}`)).status).toBe(204);
    await waitForHits(stack, member, { q: text }, []);
    expect(await foundIds(stack, member, { chatId })).toEqual([]);
    expect(await foundIds(stack, owner, { q: text })).toEqual([m.id]);
    expect((await as(stack, owner).post(`/chats/${chatId}/members`, { userIds: [member.id] })).status).toBe(201);
    await waitForHits(stack, member, { q: text }, [m.id]);
  });

  it('when a member leaves, then they stop finding its messages', async () => {
    const { chatId, text } = await indexedMessage();
    expect((await as(stack, member).post(`/chats/${chatId}/leave`)).status).toBe(204);
    await waitForHits(stack, member, { q: text }, []);
  });

  it('when a user of another app searches for the same words, then it is never a hit', async () => {
    const stranger = await newAppUser(stack);
    const { chatId, text } = await indexedMessage();
    expect(await foundIds(stack, stranger, { q: text })).toEqual([]);
    expect(await foundIds(stack, stranger, { q: text, chatId })).toEqual([]);
  });

  it('when a chat is deleted, then its messages are found by nobody', async () => {
    const { chatId, text } = await indexedMessage();
    expect((await as(stack, owner).delete(`/chats/${chatId}`)).status).toBe(204);
    await waitForHits(stack, owner, { q: text }, []);
    expect(await foundIds(stack, member, { q: text })).toEqual([]);
  });

  it('when a chat is truncated, then nothing sent at or before the truncate is found, later messages are', async () => {
    const { chatId, m, text } = await indexedMessage();
    expect((await as(stack, owner).post(`/chats/${chatId}/truncate`)).status).toBe(200);
    const later = await send(stack, owner, chatId, `${text} again`);
    await waitForHits(stack, member, { q: text }, [later.id]);
    expect(await foundIds(stack, owner, { q: text })).not.toContain(m.id);
  });

  it('when a shadow-banned member posts, then only that member finds the message', async () => {
    const [other] = await newUsers(stack, 1);
    const { chatId } = await indexedMessage();
    expect((await as(stack, owner).post(`/chats/${chatId}/members`, { userIds: [other.id] })).status).toBe(201);
    expect((await as(stack, owner).post(`/chats/${chatId}/bans`, { userId: member.id, shadow: true })).status).toBe(201);
    const tag = word('shadow');
    const visible = await send(stack, other, chatId, `${tag} visible`);
    const shadowed = await send(stack, member, chatId, `${tag} shadowed`);
    await waitForHits(stack, member, { q: tag }, [visible.id, shadowed.id]);
    await waitForHits(stack, owner, { q: tag }, [visible.id]);
    // The new member's membership reaches the index by its own consumer: wait for it, then the
    // shadow-banned message must still be missing.
    await waitForHits(stack, other, { q: tag }, [visible.id]);
    expect(await foundIds(stack, other, { q: tag })).toEqual([visible.id]);
  });
});
