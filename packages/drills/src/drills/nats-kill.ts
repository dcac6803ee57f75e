// 7. `kill -9` of nats-server, restarted 10 s later: sends keep succeeding (PostgreSQL commits),
// the outbox drains once NATS is back, nothing is published twice, clients miss nothing.
import type { Drill } from '../drill.js';
import { countStreamEvents } from '../stream.js';
import { sleep } from '../util.js';
import { steadyRun } from './steady-run.js';

export async function outboxRowsLeft(stack: Parameters<Drill['run']>[0], timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { n } = await stack.sql().one('SELECT count(*)::int AS n FROM message.outbox');
    if (n === 0 || Date.now() > deadline) return n;
    await sleep(200);
  }
}

export const natsKill: Drill = {
  id: 7,
  title: 'kill -9 of nats-server, restarted after 10 s',
  privateInfra: true,
  inTestSuite: false,
  async run(stack, scale) {
    const nats = stack.infra.nats!;
    const run = await steadyRun(stack, {
      rate: 50,
      beforeMs: 3000,
      fault: () => nats.kill(),
      faultMs: scale === 'full' ? 10_000 : 5_000,
      recover: () => nats.start(),
      afterMs: 5000,
    });
    const left = await outboxRowsLeft(stack);
    const published = await countStreamEvents(stack, 'message.created', (d) => d.message?.chatId === run.room.chatId);
    const acked = run.ledger.acknowledged;
    return {
      report: run.ledger.report(),
      facts: {
        ackedBefore: run.acked.before,
        ackedDuringOutage: run.acked.during,
        ackedAfter: run.acked.after,
        outboxRowsLeft: left,
        eventsInStream: published.total,
        distinctEventsInStream: published.distinct,
      },
      checks: {
        sendsKeptSucceeding: run.acked.during > 0,
        outboxDrained: left === 0,
        publishedOnceEach: published.total === acked && published.distinct === acked,
        caughtUp: run.caughtUp,
      },
    };
  },
};
