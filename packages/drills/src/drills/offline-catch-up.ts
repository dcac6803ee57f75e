// 5. A receiver offline for a while (its app closed, cursor kept) while messages keep coming:
// when it comes back with its cursor it holds exactly every message, in order.
import type { ChatClient } from '@chat/client/node';
import type { Drill } from '../drill.js';
import { Ledger } from '../ledger.js';
import { caughtUp, lastSeqOf, newRoom, openReceiver, restFor, sendNumbered } from '../room.js';
import { pool, sleep } from '../util.js';

export const offlineCatchUp: Drill = {
  id: 5,
  title: 'receiver offline for a while during a run, then catches up',
  privateInfra: false,
  inTestSuite: false,
  async run(stack, scale) {
    // [offline ms, messages sent meanwhile]
    const phases: [number, number][] =
      scale === 'full'
        ? [
            [1000, 100],
            [30_000, 1900],
            [300_000, 8000],
          ]
        : [
            [1000, 150],
            [3000, 1350],
          ];
    const room = await newRoom(stack, 3, 'away');
    const ledger = new Ledger();
    const rest = restFor(stack, room.owner);
    const steady = await openReceiver(stack, room, room.members[1]!, ledger, 'online');
    const awayMember = room.members[2]!;
    let away: ChatClient = await openReceiver(stack, room, awayMember, ledger, 'away');
    let n = 0;
    const catchUps: number[] = [];
    for (const [offlineMs, count] of phases) {
      const cursor = away.cursor(room.chatId)!;
      away.close();
      const started = Date.now();
      const spacing = offlineMs / count;
      await pool(count, 4, async (i) => {
        const due = started + i * spacing;
        if (due > Date.now()) await sleep(due - Date.now());
        await sendNumbered(rest, ledger, room.chatId, 'owner', ++n);
      });
      if (Date.now() - started < offlineMs) await sleep(offlineMs - (Date.now() - started));
      const back = Date.now();
      away = await openReceiver(stack, { ...room, startSeq: cursor }, awayMember, ledger, 'away');
      await caughtUp([away], room.chatId, await lastSeqOf(stack, room));
      catchUps.push(Date.now() - back);
    }
    const complete = await caughtUp([steady, away], room.chatId, await lastSeqOf(stack, room));
    steady.close();
    away.close();
    return {
      report: ledger.report(),
      facts: { messages: n, offlinePeriodsMs: phases.map(([ms]) => ms).join(' / '), catchUpMs: catchUps.join(' / ') },
      checks: { caughtUp: complete },
    };
  },
};
