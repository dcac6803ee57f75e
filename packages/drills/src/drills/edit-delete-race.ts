// 12. create → edit → delete within 50 ms while the receiver reconnects: it ends with each
// message deleted, never resurrected by a late create or edit.
import type { Drill } from '../drill.js';
import { Ledger } from '../ledger.js';
import { caughtUp, clientFor, lastSeqOf, newRoom, openReceiver, sendNumberedLive } from '../room.js';
import { sleep } from '../util.js';

export const editDeleteRace: Drill = {
  id: 12,
  title: 'create, edit, delete within 50 ms while the receiver reconnects',
  privateInfra: false,
  inTestSuite: true,
  async run(stack, scale) {
    const rounds = scale === 'full' ? 200 : 20;
    const room = await newRoom(stack, 2, 'race');
    const ledger = new Ledger();
    const receiver = await openReceiver(stack, room, room.members[1]!, ledger, 'r0');
    const sender = clientFor(stack, room.owner);
    await sender.connect();
    let slowest = 0;
    for (let n = 1; n <= rounds; n++) {
      if (n % 2 === 1) receiver.dropConnection();
      const started = Date.now();
      const sent = await sendNumberedLive(sender, ledger, room.chatId, 'race', n);
      if (!sent) continue;
      await sender.edit(sent.id, `edited ${n}`);
      await sender.deleteMessage(sent.id, 'everyone');
      slowest = Math.max(slowest, Date.now() - started);
      await sleep(5);
    }
    const complete = await caughtUp([receiver], room.chatId, await lastSeqOf(stack, room));
    const timeline = receiver.timeline(room.chatId);
    const alive = timeline.filter((m) => !m.deleted).length;
    sender.close();
    receiver.close();
    return {
      report: ledger.report(),
      facts: { rounds, slowestRoundMs: slowest, stillShownAfterDelete: alive, receiverReconnects: receiver.stats.reconnects },
      checks: { allDeleted: alive === 0 && timeline.length === rounds, caughtUp: complete },
    };
  },
};
