import type { Stack } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  as,
  clientId,
  closeDatabases,
  database,
  eventsOf,
  expectProblem,
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

const appOf = async (chatId: string): Promise<string> => (await database(stack).one('SELECT app_id FROM chat.chats WHERE id = $1', [chatId])).app_id;
const seqsOf = (page: Record<string, any>): number[] => page.data.map((e: { seq: number }) => e.seq);

describe('the chat event log', () => {
  it('when 30 members send at the same moment, then 30 distinct consecutive seqs, no gap, no duplicate', async () => {
    const users = await newUsers(stack, 30);
    const chat = await newGroup(stack, users[0], users.slice(1));
    const sent = await Promise.all(users.map((u, i) => send(stack, u, chat.id, { text: `m${i}` })));
    const seqs = sent.map((m) => m.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const log = await eventsOf(stack, users[0], chat.id);
    expect(seqsOf(log)).toEqual(seqs);
    expect(log.lastSeq).toBe(30);
  });

  it('when one send is retried 10 times concurrently, then exactly one message exists and every answer is it', async () => {
    const [a] = await newUsers(stack, 1);
    const chat = await newGroup(stack, a);
    const cid = clientId();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => as(stack, a).post(`/chats/${chat.id}/messages`, { clientMessageId: cid, text: 'once' })),
    );
    expect(answers.filter((r) => r.status === 201)).toHaveLength(1);
    expect(answers.every((r) => r.status === 201 || r.status === 200)).toBe(true);
    expect(new Set(answers.map((r) => r.body.id)).size).toBe(1);
    const rows = await database(stack).any('SELECT seq FROM message.messages WHERE chat_id = $1', [chat.id]);
    expect(rows).toHaveLength(1);
  });

  it('when concurrent senders each retry their own sends concurrently, then one message per clientMessageId and a gap-free log', async () => {
    const users = await newUsers(stack, 5);
    const chat = await newGroup(stack, users[0], users.slice(1));
    const ids = users.flatMap((u) => Array.from({ length: 4 }, () => ({ u, cid: clientId() })));
    await Promise.all(ids.flatMap(({ u, cid }) => [0, 1, 2].map(() => as(stack, u).post(`/chats/${chat.id}/messages`, { clientMessageId: cid, text: cid }))));
    const log = await eventsOf(stack, users[0], chat.id);
    expect(seqsOf(log)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(new Set(log.data.map((e: any) => e.data.message.clientMessageId)).size).toBe(20);
  });

  it('when membership and chat info change, then each becomes a log entry in seq order between messages', async () => {
    const [owner, m, late] = await newUsers(stack, 3);
    const chat = await newGroup(stack, owner, [m]);
    await send(stack, owner, chat.id, { text: 'first' });
    expect((await as(stack, owner).post(`/chats/${chat.id}/members`, { userIds: [late.id] })).status).toBe(201);
    await waitForLogEntry(stack, owner, chat.id, 'member.joined');
    expect((await as(stack, owner).patch(`/chats/${chat.id}`, { name: 'Renamed' })).status).toBe(200);
    await waitForLogEntry(stack, owner, chat.id, 'chat.updated');
    expect((await as(stack, owner).patch(`/chats/${chat.id}/members/${m.id}`, { role: 'admin' })).status).toBe(200);
    await waitForLogEntry(stack, owner, chat.id, 'member.role_changed');
    expect((await as(stack, late).post(`/chats/${chat.id}/leave`)).status).toBe(204);
    await waitForLogEntry(stack, owner, chat.id, 'member.left');
    await send(stack, m, chat.id, { text: 'last' });
    const log = await eventsOf(stack, owner, chat.id);
    expect(log.data.map((e: any) => e.type)).toEqual([
      'message.created',
      'member.joined',
      'chat.updated',
      'member.role_changed',
      'member.left',
      'message.created',
    ]);
    expect(seqsOf(log)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(log.data[1]).toMatchObject({ actorId: owner.id, data: { userId: late.id, role: 'member', via: 'added' } });
    expect(log.data[2].data.chat.name).toBe('Renamed');
  });

  it('when the log is paged with after and limit, then pages join without gaps and hasMore says when to stop', async () => {
    const [a] = await newUsers(stack, 1);
    const chat = await newGroup(stack, a);
    for (let i = 0; i < 7; i++) await send(stack, a, chat.id, { text: `n${i}` });
    const first = (await as(stack, a).get(`/chats/${chat.id}/events?after=0&limit=3`)).body;
    expect(seqsOf(first)).toEqual([1, 2, 3]);
    expect(first).toMatchObject({ hasMore: true, lastSeq: 7 });
    const second = (await as(stack, a).get(`/chats/${chat.id}/events?after=3&limit=3`)).body;
    expect(seqsOf(second)).toEqual([4, 5, 6]);
    const last = (await as(stack, a).get(`/chats/${chat.id}/events?after=6&limit=3`)).body;
    expect(last).toMatchObject({ hasMore: false, lastSeq: 7 });
    expect(seqsOf(last)).toEqual([7]);
    expect((await as(stack, a).get(`/chats/${chat.id}/events?after=-1`)).status).toBe(400);
    expect((await as(stack, a).get(`/chats/${chat.id}/events?limit=1001`)).status).toBe(400);
    expect((await as(stack, a).get(`/chats/${chat.id}/events?after=abc`)).status).toBe(400);
  });

  it('when an outsider or a removed member reads the log, then 404', async () => {
    const [owner, outsider, removed] = await newUsers(stack, 3);
    const chat = await newGroup(stack, owner, [removed]);
    expect((await as(stack, owner).delete(`/chats/${chat.id}/members/${removed.id}`)).status).toBe(204);
    await waitForLogEntry(stack, owner, chat.id, 'member.removed');
    for (const who of [outsider, removed]) expectProblem(await as(stack, who).get(`/chats/${chat.id}/events`), 404, 'not_found');
  });

  it('when a chat-service event is delivered twice, then it enters the log once', async () => {
    const [owner, m] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner);
    const watch = await recordEvents(stack, 'evt.chat.member.added');
    expect((await as(stack, owner).post(`/chats/${chat.id}/members`, { userIds: [m.id] })).status).toBe(201);
    const added = await waitFor(() => watch.received[0], 5000, 'member.added');
    await waitForLogEntry(stack, owner, chat.id, 'member.joined');
    // Republish the same envelope under a new JetStream id, as a redelivery after a lost ack would.
    await watch.nc.publish(added.subject, JSON.stringify(added.event));
    await send(stack, owner, chat.id, { text: 'after' });
    const log = await eventsOf(stack, owner, chat.id);
    expect(log.data.filter((e: any) => e.type === 'member.joined')).toHaveLength(1);
    expect(seqsOf(log)).toEqual([1, 2]);
    await watch.close();
  });
});

describe('rpc for the realtime service', () => {
  it('when events-since is asked by a member, then the missed events come in order; an outsider gets not_found', async () => {
    const [a, outsider] = await newUsers(stack, 2);
    const chat = await newGroup(stack, a);
    for (let i = 0; i < 3; i++) await send(stack, a, chat.id, { text: `e${i}` });
    const bus = await recordEvents(stack, 'nothing.here');
    const appId = await appOf(chat.id);
    const reply = await bus.rpc('rpc.message.events-since', { appId, userId: a.id, chatId: chat.id, after: 1 });
    expect(reply.ok).toBe(true);
    expect(reply.data.data.map((e: any) => e.seq)).toEqual([2, 3]);
    expect(reply.data).toMatchObject({ lastSeq: 3, hasMore: false });
    const denied = await bus.rpc('rpc.message.events-since', { appId, userId: outsider.id, chatId: chat.id, after: 0 });
    expect(denied).toMatchObject({ ok: false, error: { code: 'not_found', status: 404 } });
    await bus.close();
  });

  it('when the missed events would outgrow a NATS message, then events-since answers a shorter page with hasMore instead of failing', async () => {
    const [a] = await newUsers(stack, 1);
    const chat = await newGroup(stack, a);
    const long = 'é'.repeat(4000);
    // 140 messages of 8 KB each: 1.1 MB, over the 1 MB NATS limit.
    for (let i = 0; i < 14; i++) await Promise.all(Array.from({ length: 10 }, (_, k) => send(stack, a, chat.id, { text: `${i * 10 + k} ${long}` })));
    const bus = await recordEvents(stack, 'nothing.here');
    const appId = await appOf(chat.id);
    const reply = await bus.rpc('rpc.message.events-since', { appId, userId: a.id, chatId: chat.id, after: 0, limit: 1000 });
    expect(reply.ok).toBe(true);
    const seqs = reply.data.data.map((e: any) => e.seq);
    expect(seqs.length).toBeGreaterThan(10);
    expect(seqs.length).toBeLessThan(reply.data.lastSeq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0] + i));
    expect(reply.data.hasMore).toBe(true);
    await bus.close();
  }, 90_000);

  it('when a send arrives over rpc, then the same rules and idempotency apply as over REST', async () => {
    const [a] = await newUsers(stack, 1);
    const chat = await newGroup(stack, a);
    const appId = await appOf(chat.id);
    const bus = await recordEvents(stack, 'nothing.here');
    const cid = clientId();
    const first = await bus.rpc('rpc.message.send', { appId, userId: a.id, chatId: chat.id, body: { clientMessageId: cid, text: 'via ws' } });
    expect(first).toMatchObject({ ok: true, data: { created: true, message: { text: 'via ws', seq: 1 } } });
    const again = await bus.rpc('rpc.message.send', { appId, userId: a.id, chatId: chat.id, body: { clientMessageId: cid, text: 'via ws' } });
    expect(again).toMatchObject({ ok: true, data: { created: false, message: { id: first.data.message.id } } });
    const bad = await bus.rpc('rpc.message.send', { appId, userId: a.id, chatId: chat.id, body: { clientMessageId: cid, text: 'x'.repeat(5000) } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'validation_failed', status: 400 } });
    const nul = await bus.rpc('rpc.message.send', { appId, userId: a.id, chatId: chat.id, body: { clientMessageId: clientId(), text: 'a\u0000b' } });
    expect(nul).toMatchObject({ ok: false, error: { status: 400 } });
    await bus.close();
  });
});
