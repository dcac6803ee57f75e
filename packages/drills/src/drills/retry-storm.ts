// 1. The same clientMessageId sent 10× at once, and again later: one message, shown once.
import type { Drill } from '../drill.js';
import { Ledger } from '../ledger.js';
import { caughtUp, lastSeqOf, newRoom, openReceiver, restFor, sendNumbered } from '../room.js';
import { sleep } from '../util.js';

export const retryStorm: Drill = {
  id: 1,
  title: 'retry storm: the same clientMessageId 10× at once, and again later',
  privateInfra: false,
  inTestSuite: true,
  async run(stack, scale) {
    const messages = scale === 'full' ? 200 : 20;
    const later = scale === 'full' ? 60_000 : 3_000;
    const room = await newRoom(stack, 3, 'storm');
    const ledger = new Ledger();
    const receivers = await Promise.all(room.members.slice(1).map((m, i) => openReceiver(stack, room, m, ledger, `r${i}`)));
    const rest = restFor(stack, room.owner);
    const idsPerMessage = new Map<number, Set<string>>();
    const storm = async () => {
      for (let n = 1; n <= messages; n++) {
        const answers = await Promise.all(Array.from({ length: 10 }, () => sendNumbered(rest, ledger, room.chatId, 'storm', n)));
        const ids = idsPerMessage.get(n) ?? new Set();
        for (const a of answers) if (a) ids.add(a.id);
        idsPerMessage.set(n, ids);
      }
    };
    await storm();
    await sleep(later);
    await storm();
    const complete = await caughtUp(receivers, room.chatId, await lastSeqOf(stack, room));
    receivers.forEach((r) => r.close());
    const committed = await stack.sql().one('SELECT count(*)::int AS n FROM message.messages WHERE chat_id = $1', [room.chatId]);
    const maxIds = Math.max(...[...idsPerMessage.values()].map((s) => s.size));
    return {
      report: ledger.report(),
      facts: { sends: messages * 20, messagesCommitted: committed.n, mostIdsForOneMessage: maxIds, repeatAfterMs: later },
      checks: { oneMessageEach: committed.n === messages && maxIds === 1, caughtUp: complete },
    };
  },
};
