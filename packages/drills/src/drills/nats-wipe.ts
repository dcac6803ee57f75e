// 8. NATS loses its data (JetStream store wiped, server restarted empty): clients lose nothing.
import type { Drill } from '../drill.js';
import { outboxRowsLeft } from './nats-kill.js';
import { steadyRun } from './steady-run.js';

export const natsWipe: Drill = {
  id: 8,
  title: 'NATS restarted with its JetStream store wiped',
  privateInfra: true,
  inTestSuite: false,
  async run(stack) {
    const nats = stack.infra.nats!;
    const run = await steadyRun(stack, {
      rate: 50,
      beforeMs: 3000,
      fault: async () => {
        await nats.kill();
        nats.wipe();
      },
      faultMs: 2000,
      recover: () => nats.start(),
      afterMs: 8000,
    });
    const left = await outboxRowsLeft(stack);
    return {
      report: run.ledger.report(),
      facts: { ackedBefore: run.acked.before, ackedDuringOutage: run.acked.during, ackedAfter: run.acked.after, outboxRowsLeft: left },
      checks: { sendsAfterRecovery: run.acked.after > 0, outboxDrained: left === 0, caughtUp: run.caughtUp },
    };
  },
};
