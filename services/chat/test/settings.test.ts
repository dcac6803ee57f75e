import type { Stack } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EventLog, as, expectInvalid, newGroup, newUser, newUsers, watchEvents } from './helpers.js';
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

describe('per-user chat settings', () => {
  it('when a member mutes until a time, then the chat reads muted for them only, and chat.settings.changed is published', async () => {
    const [owner, m] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner, [m]);
    const mutedUntil = new Date(Date.now() + 3600_000).toISOString();
    const res = await as(stack, m).put(`/chats/${chat.id}/settings`, { mutedUntil });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ chatId: chat.id, muted: true, mutedUntil, pinned: false, archived: false });
    expect((await as(stack, m).get(`/chats/${chat.id}`)).body).toMatchObject({ muted: true, mutedUntil });
    expect((await as(stack, owner).get(`/chats/${chat.id}`)).body).toMatchObject({ muted: false, mutedUntil: null });
    const event = await log.waitFor('chat.settings.changed', { chatId: chat.id, userId: m.id });
    expect(event.data).toEqual({ chatId: chat.id, userId: m.id, mutedUntil, pinned: false, archived: false });
  });

  it('when the mute time has passed or is cleared with null, then the chat is not muted', async () => {
    const owner = await newUser(stack);
    const chat = await newGroup(stack, owner);
    const past = new Date(Date.now() - 1000).toISOString();
    expect((await as(stack, owner).put(`/chats/${chat.id}/settings`, { mutedUntil: past })).body).toMatchObject({ muted: false, mutedUntil: past });
    expect((await as(stack, owner).put(`/chats/${chat.id}/settings`, { mutedUntil: null })).body).toMatchObject({ muted: false, mutedUntil: null });
  });

  it('when a chat is archived, then it leaves the main list and appears under ?archived=true, pinned kept', async () => {
    const owner = await newUser(stack);
    const kept = await newGroup(stack, owner, [], { name: 'kept' });
    const shelved = await newGroup(stack, owner, [], { name: 'shelved' });
    expect((await as(stack, owner).put(`/chats/${shelved.id}/settings`, { archived: true, pinned: true })).status).toBe(200);
    expect((await as(stack, owner).put(`/chats/${shelved.id}/settings`, { mutedUntil: null })).body).toMatchObject({ archived: true, pinned: true });
    const main = (await as(stack, owner).get('/chats')).body.data.map((c: { id: string }) => c.id);
    const archived = (await as(stack, owner).get('/chats?archived=true')).body.data;
    expect(main).toEqual([kept.id]);
    expect(archived.map((c: { id: string }) => c.id)).toEqual([shelved.id]);
    expect(archived[0]).toMatchObject({ archived: true, pinned: true });
  });

  it('when the values are out of range or unknown, then 400', async () => {
    const owner = await newUser(stack);
    const chat = await newGroup(stack, owner);
    expectInvalid(await as(stack, owner).put(`/chats/${chat.id}/settings`, { mutedUntil: '0000-01-01T00:00:00Z' }), 'mutedUntil');
    expectInvalid(await as(stack, owner).put(`/chats/${chat.id}/settings`, { mutedUntil: 'tomorrow' }), 'mutedUntil');
    expectInvalid(await as(stack, owner).put(`/chats/${chat.id}/settings`, { pinned: 'yes' }), 'pinned');
    expectInvalid(await as(stack, owner).get('/chats?archived=maybe'), 'query.archived');
  });
});
