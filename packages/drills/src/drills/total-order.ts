// 3. 20 senders into one room, 10 receivers spread over two realtime nodes: one total order.
import type { Drill } from '../drill.js';
import { Ledger } from '../ledger.js';
import { caughtUp, clientFor, lastSeqOf, newRoom, openReceiver, sendNumberedLive } from '../room.js';
import { wsUrlOf } from '@chat/client/node';
import { pool } from '../util.js';

export const totalOrder: Drill = {
  id: 3,
  title: '20 senders, 10 receivers on two realtime nodes: one total order',
  privateInfra: false,
  inTestSuite: true,
  async run(stack, scale) {
    const perSender = scale === 'full' ? 500 : 25;
    const room = await newRoom(stack, 30, 'order');
    const ledger = new Ledger();
    const nodes = stack.realtimeUrls;
    const receivers = await Promise.all(
      room.members.slice(20).map((m, i) => openReceiver(stack, room, m, ledger, `r${i}`, { wsUrl: wsUrlOf(nodes[i % nodes.length]!) })),
    );
    const senders = room.members.slice(0, 20).map((m) => clientFor(stack, m));
    await Promise.all(senders.map((s) => s.connect()));
    await Promise.all(senders.map((s, k) => pool(perSender, 2, (i) => sendNumberedLive(s, ledger, room.chatId, `s${k}`, i + 1))));
    const complete = await caughtUp(receivers, room.chatId, await lastSeqOf(stack, room));
    [...senders, ...receivers].forEach((c) => c.close());
    const orders = receivers.map((r) =>
      r
        .timeline(room.chatId)
        .map((m) => m.id)
        .join(','),
    );
    const disagreeing = orders.filter((o) => o !== orders[0]).length;
    return {
      report: ledger.report(),
      facts: { senders: 20, receivers: receivers.length, nodes: nodes.length, receiversDisagreeing: disagreeing },
      checks: { oneOrder: disagreeing === 0, caughtUp: complete },
    };
  },
};
