import { randomUUID } from 'node:crypto';
import { type Db, createDatabase } from '@chat/service-kit';
import type { Stack } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockHeadsStatement, setLastSeqsStatement } from '../src/store/log.store.js';
import { twoStepTx } from '../src/store/statement.js';
import { as, clientId, closeDatabases, database, newGroup, newUsers, recordEvents } from './helpers.js';
import { startMessageStack } from './stack.js';

let stack: Stack;
/** One connection only: whatever a transaction leaves behind, the next query meets it. */
let single: Db;
beforeAll(async () => {
  stack = await startMessageStack();
  single = createDatabase(stack.env.DATABASE_URL!, 'message', 1);
});
afterAll(async () => {
  await single?.$pool.end();
  await closeDatabases();
  await stack?.stop();
});

const headOf = (chatId: string) => single.oneOrNone<{ last_seq: string }>('SELECT last_seq FROM chats WHERE chat_id = $1', [chatId]);
/** SAVEPOINT works only inside a transaction block: its failure shows the connection is outside one. */
const expectNoOpenTransaction = () => expect(single.none('SAVEPOINT probe')).rejects.toThrow(/transaction block/);

describe('the group commit', () => {
  it('when members send into several chats at once, each send twice, then every chat has one message per send, a gap-free log, its head at the last seq, each sender read up to their own, and one event per message', async () => {
    const users = await newUsers(stack, 3);
    const chats = await Promise.all(Array.from({ length: 4 }, () => newGroup(stack, users[0], users.slice(1))));
    const events = await recordEvents(stack, 'evt.message.created');
    const sends = chats.flatMap((chat) => users.flatMap((u) => Array.from({ length: 3 }, () => ({ chatId: chat.id, u, cid: clientId() }))));

    const answers = await Promise.all(
      sends.flatMap(({ chatId, u, cid }) =>
        [0, 1].map(async () => ({ cid, res: await as(stack, u).post(`/chats/${chatId}/messages`, { clientMessageId: cid, text: cid }) })),
      ),
    );

    for (const { cid } of sends) {
      const mine = answers.filter((a) => a.cid === cid);
      expect(mine.map((a) => a.res.status).sort()).toEqual([200, 201]);
      expect(new Set(mine.map((a) => a.res.body.id)).size).toBe(1);
    }
    const db = database(stack);
    for (const chat of chats) {
      const rows = await db.any('SELECT seq::int, sender_id, client_message_id FROM message.messages WHERE chat_id = $1 ORDER BY seq', [chat.id]);
      expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 9 }, (_, i) => i + 1));
      expect(new Set(rows.map((r) => r.client_message_id)).size).toBe(9);
      const log = await db.any('SELECT seq::int FROM message.events WHERE chat_id = $1 ORDER BY seq', [chat.id]);
      const head = await db.one('SELECT last_seq::int FROM message.chats WHERE chat_id = $1', [chat.id]);
      expect(log.map((e) => e.seq)).toEqual(Array.from({ length: head.last_seq }, (_, i) => i + 1));
      for (const u of users) {
        const last = Math.max(...rows.filter((r) => r.sender_id === u.id).map((r) => r.seq));
        const marker = await db.one('SELECT read_seq::int FROM message.members WHERE chat_id = $1 AND user_id = $2', [chat.id, u.id]);
        expect(marker.read_seq).toBeGreaterThanOrEqual(last);
      }
    }
    const ids = new Set(answers.map((a) => a.res.body.id));
    await expect.poll(() => new Set(events.received.map((r) => (r.event.data as any).message.id)).size, { timeout: 10_000 }).toBe(ids.size);
    expect(events.received).toHaveLength(ids.size);
    await events.close();
  });

  it('when a transaction in two round trips succeeds, then the reads come back in order and the writes are committed', async () => {
    const chatId = randomUUID();
    const result = await twoStepTx(single, [lockHeadsStatement([{ chatId, appId: randomUUID() }]), { query: 'SELECT 7 AS n' }], ([heads, sevens]) => ({
      writes: [setLastSeqsStatement([{ chatId, lastSeq: Number((heads as { lastSeq: string }[])[0]!.lastSeq) + 3 }])],
      result: sevens![0],
    }));
    expect(result).toEqual({ n: 7 });
    expect(Number((await headOf(chatId))?.last_seq)).toBe(3);
    await expectNoOpenTransaction();
  });

  it('when the writes fail, then nothing of the transaction stays and the connection is left outside any transaction', async () => {
    const chatId = randomUUID();
    const failing = twoStepTx(single, [lockHeadsStatement([{ chatId, appId: randomUUID() }])], () => ({ writes: [{ query: 'SELECT 1 / 0' }], result: null }));
    await expect(failing).rejects.toThrow(/division by zero/);
    expect(await headOf(chatId)).toBeNull();
    await expectNoOpenTransaction();
  });

  it('when deciding the writes throws, then nothing of the transaction stays and the connection is left outside any transaction', async () => {
    const chatId = randomUUID();
    const failing = twoStepTx(single, [lockHeadsStatement([{ chatId, appId: randomUUID() }])], () => {
      throw new Error('no plan');
    });
    await expect(failing).rejects.toThrow('no plan');
    expect(await headOf(chatId)).toBeNull();
    await expectNoOpenTransaction();
  });
});
