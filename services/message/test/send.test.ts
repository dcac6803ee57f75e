import type { Stack } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  as,
  clientId,
  closeDatabases,
  expectInvalid,
  expectProblem,
  newAppUser,
  newDirect,
  newGroup,
  newUsers,
  recordEvents,
  send,
  waitFor,
  waitForLogEntry,
} from './helpers.js';
import { startMessageStack } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startMessageStack();
});
afterAll(async () => {
  await closeDatabases();
  await stack?.stop();
});

const post = (who: { accessToken: string; id: string }, chatId: string, body: Record<string, unknown>) =>
  as(stack, who).post(`/chats/${chatId}/messages`, { clientMessageId: clientId(), ...body });

describe('POST /chats/:id/messages', () => {
  it('when a member sends text, then 201 with the message at the next seq, published live and durably', async () => {
    const [a, b] = await newUsers(stack, 2);
    const chat = await newGroup(stack, a, [b]);
    const events = await recordEvents(stack, 'evt.message.>');
    const live = await recordEvents(stack, `rt.chat.${chat.id}`);
    const cid = clientId();
    const res = await post(a, chat.id, { clientMessageId: cid, text: 'hi there' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      chatId: chat.id,
      seq: 1,
      senderId: a.id,
      clientMessageId: cid,
      type: 'text',
      text: 'hi there',
      attachments: [],
      replyToId: null,
      quotedMessageId: null,
      mentions: [],
      silent: false,
      forwardedFrom: null,
      location: null,
      contact: null,
      poll: null,
      reactions: [],
      pinned: false,
      replyCount: 0,
      lastReplyAt: null,
      editedAt: null,
      deleted: false,
      createdAt: expect.any(String),
    });
    const published = await events.waitFor('message.created', {});
    expect(published.event.data).toEqual({ message: res.body, visibleTo: null });
    const frame = await waitFor(() => live.received[0]?.event as any, 5000, 'live frame');
    expect(frame).toMatchObject({ op: 'event', t: 'message.created', chatId: chat.id, seq: 1, actorId: a.id, d: { message: res.body } });
    await events.close();
    await live.close();
  });

  it('when the same clientMessageId is sent again, then 200 with the original message and nothing new', async () => {
    const [a] = await newUsers(stack, 1);
    const chat = await newGroup(stack, a);
    const cid = clientId();
    const first = await post(a, chat.id, { clientMessageId: cid, text: 'once' });
    const again = await post(a, chat.id, { clientMessageId: cid, text: 'once' });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect((await as(stack, a).get(`/chats/${chat.id}/messages`)).body.data).toHaveLength(1);
  });

  it('when another user reuses someone’s clientMessageId, then it is their own new message', async () => {
    const [a, b] = await newUsers(stack, 2);
    const chat = await newGroup(stack, a, [b]);
    const cid = clientId();
    const mine = await post(a, chat.id, { clientMessageId: cid, text: 'a' });
    const theirs = await post(b, chat.id, { clientMessageId: cid, text: 'b' });
    expect(theirs.status).toBe(201);
    expect(theirs.body.id).not.toBe(mine.body.id);
  });

  it('when an outsider, a removed member or another app’s user sends, then 404 and nothing is stored', async () => {
    const [owner, outsider, removed] = await newUsers(stack, 3);
    const stranger = await newAppUser(stack);
    const chat = await newGroup(stack, owner, [removed]);
    await send(stack, removed, chat.id);
    expect((await as(stack, owner).delete(`/chats/${chat.id}/members/${removed.id}`)).status).toBe(204);
    await waitForLogEntry(stack, owner, chat.id, 'member.removed');
    for (const who of [outsider, removed, stranger]) expectProblem(await post(who, chat.id, { text: 'let me in' }), 404, 'not_found');
    expect((await as(stack, owner).get(`/chats/${chat.id}/messages`)).body.data).toHaveLength(1);
  });

  it('when the text is too long, attachments are too many, the body is empty or has unknown fields, then 400', async () => {
    const [a] = await newUsers(stack, 1);
    const chat = await newGroup(stack, a);
    expectInvalid(await post(a, chat.id, { text: 'x'.repeat(4097) }), 'text');
    expect((await post(a, chat.id, { text: '😀'.repeat(4096) })).status).toBe(201);
    const eleven = Array.from({ length: 11 }, () => ({ mediaId: crypto.randomUUID() }));
    expectInvalid(await post(a, chat.id, { text: 'x', attachments: eleven }), 'attachments');
    expectInvalid(await post(a, chat.id, {}), 'text');
    expectInvalid(await post(a, chat.id, { text: '   ' }), 'text');
    expectInvalid(await post(a, chat.id, { text: 'x', html: '<b>' }), 'html');
    expectInvalid(await as(stack, a).post(`/chats/${chat.id}/messages`, { text: 'no id' }), 'clientMessageId');
    expectInvalid(await post(a, chat.id, { clientMessageId: 'has space', text: 'x' }), 'clientMessageId');
    expectInvalid(await post(a, chat.id, { text: 'x', type: 'system' }), 'type');
    expectInvalid(await post(a, chat.id, { text: 'x', type: 'poll' }), 'type');
    expectInvalid(await as(stack, a).post('/chats/not-a-uuid/messages', { clientMessageId: clientId(), text: 'x' }), 'params.id');
  });

  it('when a member of a channel (not owner or admin) posts, then 403', async () => {
    const [owner, reader] = await newUsers(stack, 2);
    const channel = await newGroup(stack, owner, [reader], { type: 'channel' });
    expectProblem(await post(reader, channel.id, { text: 'hi' }), 403, 'forbidden');
    expect((await post(owner, channel.id, { text: 'news' })).status).toBe(201);
  });

  it('when the chat is frozen, then sends are refused with chat_frozen', async () => {
    const [owner, m] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner, [m]);
    expect((await as(stack, owner).patch(`/chats/${chat.id}/moderation`, { frozen: true })).status).toBe(200);
    await waitForLogEntry(stack, owner, chat.id, 'chat.frozen');
    expectProblem(await post(m, chat.id, { text: 'hi' }), 403, 'chat_frozen');
  });

  it('when slow mode is on, then a member’s second message within the interval gets 429 slow_mode; admins are exempt', async () => {
    const [owner, m] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner, [m]);
    expect((await as(stack, owner).patch(`/chats/${chat.id}/moderation`, { slowModeSeconds: 60 })).status).toBe(200);
    await waitForLogEntry(stack, owner, chat.id, 'chat.updated');
    expect((await post(m, chat.id, { text: 'one' })).status).toBe(201);
    const second = await post(m, chat.id, { text: 'two' });
    expectProblem(second, 429, 'slow_mode');
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await post(owner, chat.id, { text: 'a' })).status).toBe(201);
    expect((await post(owner, chat.id, { text: 'b' })).status).toBe(201);
  });

  it('when a member is banned, then their sends get 403 banned... and once removed, 404', async () => {
    const [owner, m] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner, [m]);
    expect((await as(stack, owner).post(`/chats/${chat.id}/bans`, { userId: m.id })).status).toBe(201);
    const res = await post(m, chat.id, { text: 'hi' });
    expect([403, 404]).toContain(res.status);
    if (res.status === 403) expect(res.body.code).toBe('banned');
  });

  it('when a member is shadow-banned, then their messages are seen by them only', async () => {
    const [owner, shadow, other] = await newUsers(stack, 3);
    const chat = await newGroup(stack, owner, [shadow, other]);
    expect((await as(stack, owner).post(`/chats/${chat.id}/bans`, { userId: shadow.id, shadow: true })).status).toBe(201);
    const hidden = await send(stack, shadow, chat.id, { text: 'spam' });
    const seen = await send(stack, other, chat.id, { text: 'real' });
    const ids = async (who: typeof owner) => (await as(stack, who).get(`/chats/${chat.id}/messages`)).body.data.map((m: any) => m.id);
    expect(await ids(shadow)).toEqual([seen.id, hidden.id]);
    expect(await ids(owner)).toEqual([seen.id]);
    expectProblem(await as(stack, other).get(`/messages/${hidden.id}`), 404, 'not_found');
    expect((await as(stack, owner).get(`/chats/${chat.id}/events`)).body.data.some((e: any) => e.data.message?.id === hidden.id)).toBe(false);
  });

  it('when one side of a direct chat blocked the other, then neither can send (blocked)', async () => {
    const [a, b] = await newUsers(stack, 2);
    const chat = await newDirect(stack, a, b);
    expect((await post(b, chat.id, { text: 'before' })).status).toBe(201);
    expect((await as(stack, a).post('/users/me/blocked', { userId: b.id })).status).toBe(201);
    expectProblem(await post(b, chat.id, { text: 'after' }), 403, 'blocked');
    expectProblem(await post(a, chat.id, { text: 'me neither' }), 403, 'blocked');
  });

  it('when mentions name members, then they are kept; a non-member mentioned gives 400', async () => {
    const [a, b, outsider] = await newUsers(stack, 3);
    const chat = await newGroup(stack, a, [b]);
    const m = await send(stack, a, chat.id, { text: '@b look', mentions: [b.id] });
    expect(m.mentions).toEqual([b.id]);
    expectInvalid(await post(a, chat.id, { text: 'hey', mentions: [b.id, outsider.id] }), 'mentions.1');
    expectInvalid(await post(a, chat.id, { text: 'hey', mentions: [b.id, b.id] }), 'mentions');
  });

  it('when replies are sent, then the root counts them and lists them as its thread; a reply to another chat’s message is 400', async () => {
    const [a, b] = await newUsers(stack, 2);
    const chat = await newGroup(stack, a, [b]);
    const other = await newGroup(stack, a);
    const root = await send(stack, a, chat.id, { text: 'root' });
    const r1 = await send(stack, b, chat.id, { text: 'r1', replyToId: root.id });
    const r2 = await send(stack, a, chat.id, { text: 'r2', replyToId: r1.id, quotedMessageId: r1.id });
    expect(r2).toMatchObject({ replyToId: r1.id, quotedMessageId: r1.id });
    const rootNow = (await as(stack, b).get(`/messages/${root.id}`)).body;
    expect(rootNow.replyCount).toBe(2);
    expect(rootNow.lastReplyAt).toBe(r2.createdAt);
    const thread = await as(stack, b).get(`/messages/${root.id}/replies`);
    expect(thread.body.data.map((m: any) => m.id)).toEqual([r1.id, r2.id]);
    const foreign = await send(stack, a, other.id, { text: 'elsewhere' });
    expectInvalid(await post(a, chat.id, { text: 'x', replyToId: foreign.id }), 'replyToId');
  });

  it('when a message is forwarded, then it carries the content and provenance; from a chat the sender cannot read, 404', async () => {
    const [a, b, c] = await newUsers(stack, 3);
    const source = await newGroup(stack, a, [b]);
    const target = await newGroup(stack, b, [c]);
    const original = await send(stack, a, source.id, { text: 'worth sharing' });
    const fwd = await post(b, target.id, { forwardFromMessageId: original.id });
    expect(fwd.status).toBe(201);
    expect(fwd.body).toMatchObject({
      text: 'worth sharing',
      forwardedFrom: { messageId: original.id, chatId: source.id, senderId: a.id, sentAt: original.createdAt },
    });
    const again = await post(c, target.id, { forwardFromMessageId: fwd.body.id });
    expect(again.body.forwardedFrom.messageId).toBe(original.id);
    expectProblem(await post(c, target.id, { forwardFromMessageId: original.id }), 404, 'not_found');
    expectInvalid(await post(b, target.id, { forwardFromMessageId: original.id, text: 'plus' }), 'forwardFromMessageId');
  });

  it('when location, contact, poll and silent messages are sent, then each keeps its shape and type', async () => {
    const [a] = await newUsers(stack, 1);
    const chat = await newGroup(stack, a);
    const loc = await send(stack, a, chat.id, { text: undefined, location: { latitude: 52.52, longitude: 13.4, name: 'Berlin' } });
    expect(loc).toMatchObject({ type: 'location', location: { latitude: 52.52, longitude: 13.4, name: 'Berlin' } });
    const contact = await send(stack, a, chat.id, { text: undefined, contact: { name: 'Ann', phone: '+15550001' } });
    expect(contact).toMatchObject({ type: 'contact', contact: { name: 'Ann', phone: '+15550001' } });
    const poll = await send(stack, a, chat.id, { text: undefined, poll: { question: 'Lunch?', options: ['Pizza', 'Sushi'] } });
    expect(poll.poll).toEqual({
      question: 'Lunch?',
      multipleChoice: false,
      options: [
        { id: 0, text: 'Pizza', votes: 0 },
        { id: 1, text: 'Sushi', votes: 0 },
      ],
      totalVoters: 0,
      myVotes: [],
    });
    expect((await send(stack, a, chat.id, { text: 'shh', silent: true })).silent).toBe(true);
    expectInvalid(await post(a, chat.id, { location: { latitude: 91, longitude: 0 } }), 'location.latitude');
    expectInvalid(await post(a, chat.id, { poll: { question: 'q', options: ['only'] } }), 'poll.options');
    expectInvalid(await post(a, chat.id, { poll: { question: 'q', options: ['a', 'a'] } }), 'poll.options');
    expectInvalid(await post(a, chat.id, { location: { latitude: 1, longitude: 1 }, contact: { name: 'x' } }), 'poll');
  });
});
