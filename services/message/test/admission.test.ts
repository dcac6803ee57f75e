import { setTimeout as delay } from 'node:timers/promises';
import { type Db, createDatabase } from '@chat/service-kit';
import { type Stack, connectNats } from '@chat/testkit';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestUser, as, clientId, closeDatabases, expectProblem, newGroup, newUsers, send, waitFor } from './helpers.js';
import { type RefusalReason, SendAdmission, WAIT_SIGNAL_TTL_MS, WAIT_WINDOW_MS } from '../src/domain/send-admission.js';
import { startMessageStack } from './stack.js';

/** Two transactions at a time (the default), one send per batch so a backlog drains batch by batch. */
const QUEUE_MAX = 4;
const TARGET_MS = 100;

let stack: Stack;
/** Connections of their own, to hold chat heads locked in open transactions. */
let lockers: Db;
let nc: NatsConnection;
/** Locks still held (a failed test must not leave the service's transactions waiting). */
const heldLocks = new Set<() => Promise<void>>();
beforeAll(async () => {
  stack = await startMessageStack({ SEND_CONCURRENCY: '2', SEND_BATCH_MAX: '1', SEND_QUEUE_MAX: String(QUEUE_MAX), SEND_QUEUE_TARGET_MS: String(TARGET_MS) });
  lockers = createDatabase(stack.env.DATABASE_URL!, 'message', 6);
  nc = await connectNats(stack.env.NATS_URL);
});
afterAll(async () => {
  for (const release of heldLocks) await release();
  await nc?.close();
  await lockers?.$pool.end();
  await closeDatabases();
  await stack?.stop();
});

const post = (who: TestUser, chatId: string, cid = clientId()) => as(stack, who).post(`/chats/${chatId}/messages`, { clientMessageId: cid, text: cid });

/** A group of `owner` whose head row exists and whose creation the message service has applied (nothing else will lock it). */
async function readyChat(owner: TestUser): Promise<string> {
  const chat = await newGroup(stack, owner);
  await waitFor(
    () => lockers.oneOrNone('SELECT 1 FROM members WHERE chat_id = $1', [chat.id]).then((r) => r ?? undefined),
    5000,
    'the chat in the message service',
  );
  await send(stack, owner, chat.id);
  return chat.id;
}

/** Locks the chat's head row in an open transaction on its own connection until the returned release is called. */
async function holdHead(chatId: string): Promise<() => Promise<void>> {
  const conn = await lockers.connect();
  await conn.none('BEGIN');
  await conn.one('SELECT chat_id FROM chats WHERE chat_id = $1 FOR UPDATE', [chatId]);
  const release = async () => {
    heldLocks.delete(release);
    await conn.none('COMMIT');
    conn.done();
  };
  heldLocks.add(release);
  return release;
}

/** Waits until `n` transactions of the message service wait on a row lock. */
const lockWaiters = (n: number) =>
  waitFor(
    async () => {
      const { count } = await lockers.one(
        "SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
      );
      return count === n ? count : undefined;
    },
    5000,
    `${n} sends waiting on a head lock`,
  );

async function metricsText(): Promise<string> {
  return (await fetch(`${stack.services.message!.opsUrl}/metrics`)).text();
}

/** A sample of the message service's `/metrics` (labels in any order), 0 when absent. */
async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
  const line = (await metricsText()).split('\n').find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

const queueDepth = (n: number) => waitFor(async () => ((await metric('message_send_queue_depth')) === n ? n : undefined), 5000, `${n} sends queued`);

/** The answer comes within a second (a queued send would wait for the lock, held until the test releases it). */
async function expectRefusedAtOnce(request: ReturnType<typeof post>): Promise<void> {
  const res = await Promise.race([request, delay(1000).then(() => undefined)]);
  if (!res) throw new Error('no answer within a second');
  expectProblem(res, 429, 'rate_limited');
  expect(['1', '2']).toContain(res.headers.get('retry-after'));
}

async function storedClientIds(chatId: string): Promise<string[]> {
  const rows = await lockers.any<{ cid: string }>('SELECT client_message_id AS cid FROM messages WHERE chat_id = $1 ORDER BY seq', [chatId]);
  return rows.map((r) => r.cid);
}

/** The chat's log runs 1..head with no gap, and holds one `message.created` per stored message. */
async function expectGapFreeLog(chatId: string): Promise<void> {
  const seqs = (await lockers.any<{ seq: number }>('SELECT seq::int FROM events WHERE chat_id = $1 ORDER BY seq', [chatId])).map((r) => r.seq);
  const head = await lockers.one<{ lastSeq: number }>('SELECT last_seq::int AS "lastSeq" FROM chats WHERE chat_id = $1', [chatId]);
  expect(seqs).toEqual(Array.from({ length: head.lastSeq }, (_, i) => i + 1));
  const created = await lockers.one<{ n: number }>("SELECT count(*)::int AS n FROM events WHERE chat_id = $1 AND type = 'message.created'", [chatId]);
  expect(created.n).toBe((await storedClientIds(chatId)).length);
}

describe('the admission rule', () => {
  const limits = { targetWaitMs: 50, maxWaiting: 100 };
  function admissionAt(clock: { ms: number }) {
    const refused: RefusalReason[] = [];
    const admission = new SendAdmission(
      limits,
      (reason) => refused.push(reason),
      () => clock.ms,
    );
    const admits = (waiting: number) => {
      try {
        admission.check(waiting);
        return true;
      } catch (err) {
        expectProblemError(err);
        return false;
      }
    };
    return { admission, admits, refused };
  }
  const expectProblemError = (err: unknown) => expect(err).toMatchObject({ status: 429, code: 'rate_limited', extra: { retryAfterS: expect.any(Number) } });

  it('when the last batch waited longer than the target, then arrivals are refused while sends wait, and admitted into an empty queue', () => {
    const clock = { ms: 0 };
    const { admission, admits, refused } = admissionAt(clock);
    admission.noteWait(80, 10);
    expect(admits(10)).toBe(false);
    expect(admits(0)).toBe(true);
    expect(refused).toEqual(['queue_delay']);
  });

  it('when sends of idle chats leave at once between batches that waited long, then arrivals are still refused until the long wait is a window old', () => {
    const clock = { ms: 0 };
    const { admission, admits } = admissionAt(clock);
    admission.noteWait(120, 30);
    clock.ms += 10;
    admission.noteWait(0, 30);
    expect(admits(30)).toBe(false);
    clock.ms = WAIT_WINDOW_MS + 1;
    admission.noteWait(5, 30);
    expect(admits(30)).toBe(true);
  });

  it('when a batch empties the queue, then arrivals are admitted again whatever it waited', () => {
    const clock = { ms: 0 };
    const { admission, admits } = admissionAt(clock);
    admission.noteWait(120, 50);
    admission.noteWait(200, 0);
    expect(admits(1)).toBe(true);
  });

  it('when no batch has left the queue for longer than the signal lasts (a stall), then arrivals are admitted up to the cap', () => {
    const clock = { ms: 0 };
    const { admission, admits, refused } = admissionAt(clock);
    admission.noteWait(500, 20);
    clock.ms = WAIT_SIGNAL_TTL_MS - 1;
    expect(admits(20)).toBe(false);
    clock.ms = WAIT_SIGNAL_TTL_MS + 1;
    expect(admits(20)).toBe(true);
    expect(admits(limits.maxWaiting)).toBe(false);
    expect(refused).toEqual(['queue_delay', 'queue_full']);
  });
});

describe('overload admission of sends', () => {
  it('when the queue holds SEND_QUEUE_MAX sends, then the next are refused at once with 429 rate_limited (REST and rpc), every queued send commits once the stall ends, and a refused send retried later is stored', async () => {
    const [a] = await newUsers(stack, 1);
    const stalled = await readyChat(a);
    const other = await readyChat(a);
    const release = await holdHead(stalled);

    const running = post(a, stalled);
    await lockWaiters(1);
    const queuedIds = Array.from({ length: QUEUE_MAX }, () => clientId());
    const queued = queuedIds.map((cid) => post(a, stalled, cid));
    await queueDepth(QUEUE_MAX);

    const refusedIds = [clientId(), clientId()];
    const refusedBefore = await metric('message_sends_refused_total', { reason: 'queue_full' });
    for (const cid of refusedIds) await expectRefusedAtOnce(post(a, other, cid));
    const rpc = await nc.request(
      `${stack.env.NATS_PREFIX}rpc.message.send`,
      JSON.stringify({ appId: a.appId, userId: a.id, chatId: other, body: { clientMessageId: clientId(), text: 'over rpc' } }),
      { timeout: 2000 },
    );
    expect(rpc.json()).toMatchObject({ ok: false, error: { code: 'rate_limited', status: 429 } });
    expect(await metric('message_sends_refused_total', { reason: 'queue_full' })).toBe(refusedBefore + refusedIds.length + 1);
    expect(await metric('message_send_queue_depth')).toBe(QUEUE_MAX);

    await release();
    expect((await running).status).toBe(201);
    for (const res of await Promise.all(queued)) expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(await storedClientIds(stalled)).toEqual(expect.arrayContaining(queuedIds));
    expect(await storedClientIds(stalled)).toHaveLength(1 + 1 + QUEUE_MAX);
    await expectGapFreeLog(stalled);
    expect(await storedClientIds(other)).toHaveLength(1);

    for (const cid of refusedIds) expect((await post(a, other, cid)).status).toBe(201);
    expect((await storedClientIds(other)).slice(1)).toEqual(refusedIds);
    await expectGapFreeLog(other);
  });

  it('when sends waited longer than SEND_QUEUE_TARGET_MS to leave the queue, then arrivals are refused while the old sends still wait, and admitted again once the queue has drained', async () => {
    const [a] = await newUsers(stack, 1);
    const [first, second, third, open] = await Promise.all([readyChat(a), readyChat(a), readyChat(a), readyChat(a)]);
    const releaseFirst = await holdHead(first);
    const releaseSecond = await holdHead(second);
    const releaseThird = await holdHead(third);

    // Both transactions stall on a lock; behind them a send to the third locked chat, then two to an open one.
    const stalled = [post(a, first), post(a, second)];
    await lockWaiters(2);
    const nextToStall = post(a, third);
    await queueDepth(1);
    const backlog = [post(a, open), post(a, open)];
    await queueDepth(3);
    await delay(3 * TARGET_MS);

    // One transaction ends; the next batch leaves the queue after a long wait and stalls in turn.
    const refusedBefore = await metric('message_sends_refused_total', { reason: 'queue_delay' });
    await releaseFirst();
    expect((await stalled[0]!).status).toBe(201);
    const refusedId = clientId();
    await expectRefusedAtOnce(post(a, open, refusedId));
    expect(await metric('message_sends_refused_total', { reason: 'queue_delay' })).toBe(refusedBefore + 1);
    expect(await metric('message_send_queue_depth')).toBe(backlog.length);
    expect(await storedClientIds(open)).not.toContain(refusedId);

    await releaseSecond();
    await releaseThird();
    for (const res of await Promise.all([stalled[1]!, nextToStall, ...backlog])) expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(await metric('message_send_queue_depth')).toBe(0);
    expect((await post(a, open)).status).toBe(201);
    expect((await post(a, open, refusedId)).status).toBe(201);
    expect(await storedClientIds(open)).toHaveLength(1 + backlog.length + 2);
    for (const chatId of [first, second, third, open]) await expectGapFreeLog(chatId);
  });

  it('when one chat’s sends are held behind its lock while the rest of a long-waiting backlog drains, then sends to other chats are admitted and commit', async () => {
    const [a] = await newUsers(stack, 1);
    const [locked, briefly, open] = await Promise.all([readyChat(a), readyChat(a), readyChat(a)]);
    const release = await holdHead(locked);
    const releaseBriefly = await holdHead(briefly);
    const running = [post(a, locked), post(a, briefly)];
    await lockWaiters(2);
    const held = [post(a, locked), post(a, locked)];
    await queueDepth(2);
    const backlog = post(a, open);
    await queueDepth(3);
    await delay(3 * TARGET_MS);

    // The backlog leaves after a long wait; what is left waits on the lock, so refusing would only idle the service.
    await releaseBriefly();
    expect((await running[1]!).status).toBe(201);
    expect((await backlog).status).toBe(201);
    const admitted = await waitFor(
      async () => {
        const res = await post(a, open);
        if (res.status !== 429) return res;
        expectProblem(res, 429, 'rate_limited');
        return undefined;
      },
      5000,
      'a send to an open chat admitted',
    );
    expect(admitted.status).toBe(201);
    for (let i = 0; i < 3; i++) expect((await post(a, open)).status).toBe(201);
    expect(await metric('message_send_queue_depth')).toBe(held.length);
    expect(await storedClientIds(open)).toHaveLength(1 + 1 + 1 + 3);

    await release();
    for (const res of await Promise.all([running[0]!, ...held])) expect(res.status).toBe(201);
    expect(await storedClientIds(locked)).toHaveLength(1 + 1 + held.length);
    for (const chatId of [locked, briefly, open]) await expectGapFreeLog(chatId);
  });
});
