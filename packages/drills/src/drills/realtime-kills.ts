// 6. `kill -9` of one of two realtime nodes, again and again, during a long run: the supervisor
// restarts it, its clients reconnect and resync, nobody loses or repeats anything.
import { wsUrlOf } from '@chat/client/node';
import type { Drill } from '../drill.js';
import { Ledger } from '../ledger.js';
import { caughtUp, lastSeqOf, newRoom, openReceiver, restFor, sendNumbered } from '../room.js';
import { pool, sleep } from '../util.js';

export const realtimeKills: Drill = {
  id: 6,
  title: 'kill -9 of one of two realtime nodes during a run',
  privateInfra: false,
  inTestSuite: true,
  async run(stack, scale) {
    const messages = scale === 'full' ? 100_000 : 1000;
    const kills = scale === 'full' ? 5 : 2;
    const room = await newRoom(stack, 11, 'kill');
    const ledger = new Ledger();
    const nodes = stack.realtimeUrls;
    const receivers = await Promise.all(room.members.slice(1).map((m, i) => openReceiver(stack, room, m, ledger, `r${i}`, { wsUrl: wsUrlOf(nodes[i % 2]!) })));
    const rest = restFor(stack, room.owner);
    let sent = 0;
    const sending = pool(messages, 16, async (i) => {
      await sendNumbered(rest, ledger, room.chatId, 'owner', i + 1);
      sent += 1;
    });
    let killed = 0;
    const killer = (async () => {
      for (let k = 1; k <= kills; k++) {
        while (sent < (k * messages) / (kills + 1)) await sleep(20);
        await stack.kill('realtime1');
        killed += 1;
        await sleep(500);
        await stack.launch('realtime1');
      }
    })();
    const started = Date.now();
    await Promise.all([sending, killer]);
    const seconds = (Date.now() - started) / 1000;
    const complete = await caughtUp(receivers, room.chatId, await lastSeqOf(stack, room), 120_000);
    const reconnects = receivers.reduce((sum, r) => sum + r.stats.reconnects, 0);
    receivers.forEach((r) => r.close());
    return {
      report: ledger.report(),
      facts: {
        messages,
        receivers: receivers.length,
        kills: killed,
        reconnects,
        sendSeconds: Math.round(seconds),
        messagesPerSecond: Math.round(messages / seconds),
      },
      checks: { killedAsPlanned: killed === kills, caughtUp: complete },
    };
  },
};
