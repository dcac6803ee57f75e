// The shape shared by the drills that break a server mid-run: a sender at a steady rate, receivers
// following the room, a fault at a set moment, and a tail after recovery.
import type { ChatClient } from '@chat/client/node';
import { Ledger } from '../ledger.js';
import { type Room, caughtUp, lastSeqOf, newRoom, openReceiver, restFor, sendNumbered } from '../room.js';
import type { DrillStack } from '../stack.js';
import { sleep } from '../util.js';

export interface SteadyRun {
  room: Room;
  ledger: Ledger;
  receivers: ChatClient[];
  /** Acknowledged sends by phase. */
  acked: { before: number; during: number; after: number };
  caughtUp: boolean;
}

export interface SteadyRunOptions {
  rate: number;
  beforeMs: number;
  /** Breaks something; resolves when it is broken. */
  fault: (run: SteadyRun) => Promise<void>;
  faultMs: number;
  /** Repairs it. */
  recover: () => Promise<void>;
  afterMs: number;
  /** Runs while the fault lasts (checks that need the system broken). */
  whileBroken?: (run: SteadyRun) => Promise<void>;
}

export async function steadyRun(stack: DrillStack, opts: SteadyRunOptions): Promise<SteadyRun> {
  const room = await newRoom(stack, 3, 'steady');
  const ledger = new Ledger();
  const receivers = await Promise.all(room.members.slice(1).map((m, i) => openReceiver(stack, room, m, ledger, `r${i}`)));
  const run: SteadyRun = { room, ledger, receivers, acked: { before: 0, during: 0, after: 0 }, caughtUp: false };
  const rest = restFor(stack, room.owner);
  let phase: keyof SteadyRun['acked'] = 'before';
  let stop = false;
  const inFlight: Promise<unknown>[] = [];
  const sender = (async () => {
    const start = Date.now();
    for (let n = 1; !stop; n++) {
      const due = start + (n * 1000) / opts.rate;
      if (due > Date.now()) await sleep(due - Date.now());
      const sentIn = phase;
      inFlight.push(
        sendNumbered(rest, ledger, room.chatId, 'owner', n, { deadline: Date.now() + 60_000 }).then((ok) => {
          if (ok) run.acked[sentIn] += 1;
        }),
      );
    }
  })();
  await sleep(opts.beforeMs);
  await opts.fault(run);
  phase = 'during';
  await Promise.all([sleep(opts.faultMs), opts.whileBroken?.(run)]);
  await opts.recover();
  phase = 'after';
  await sleep(opts.afterMs);
  stop = true;
  await sender;
  await Promise.all(inFlight);
  run.caughtUp = await caughtUp(receivers, room.chatId, await lastSeqOf(stack, room), 120_000);
  receivers.forEach((r) => r.close());
  return run;
}
