// 2. The HTTP answer is lost after the commit (a TCP proxy cuts it) and the client retries.
import type { Drill } from '../drill.js';
import { FaultProxy } from '../fault-proxy.js';
import { Ledger } from '../ledger.js';
import { caughtUp, lastSeqOf, newRoom, openReceiver, restFor, sendNumbered } from '../room.js';
import { pool } from '../util.js';

export const lostAnswers: Drill = {
  id: 2,
  title: 'HTTP answer dropped after commit, client retries',
  privateInfra: false,
  inTestSuite: true,
  async run(stack, scale) {
    const messages = scale === 'full' ? 2000 : 200;
    const room = await newRoom(stack, 3, 'proxy');
    const ledger = new Ledger();
    const receivers = await Promise.all(room.members.slice(1).map((m, i) => openReceiver(stack, room, m, ledger, `r${i}`)));
    const proxy = await FaultProxy.start(stack.gatewayUrl);
    proxy.dropRate = 0.3;
    try {
      const rest = restFor(stack, room.owner, proxy.url);
      await pool(messages, 4, (i) => sendNumbered(rest, ledger, room.chatId, 'proxy', i + 1));
    } finally {
      await proxy.close();
    }
    const complete = await caughtUp(receivers, room.chatId, await lastSeqOf(stack, room));
    receivers.forEach((r) => r.close());
    const committed = await stack.sql().one('SELECT count(*)::int AS n FROM message.messages WHERE chat_id = $1', [room.chatId]);
    return {
      report: ledger.report(),
      facts: { answersCut: proxy.dropped, messagesCommitted: committed.n },
      checks: { answersWereCut: proxy.dropped > 0, oneMessageEach: committed.n === messages, caughtUp: complete },
    };
  },
};
