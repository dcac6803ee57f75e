// 9. PostgreSQL stopped mid-load and restarted: sends during the outage fail with 503 (never a
// success that is later lost), and the services recover on their own.
import type { Drill } from '../drill.js';
import { steadyRun } from './steady-run.js';

export const postgresOutage: Drill = {
  id: 9,
  title: 'PostgreSQL stopped mid-load and restarted',
  privateInfra: true,
  inTestSuite: false,
  async run(stack, scale) {
    const pg = stack.infra.pg!;
    const run = await steadyRun(stack, {
      rate: 50,
      beforeMs: 3000,
      fault: () => pg.kill(),
      faultMs: scale === 'full' ? 10_000 : 5_000,
      recover: () => pg.start(),
      afterMs: 8000,
    });
    const report = run.ledger.report();
    const failed = report.failedAttempts;
    const explicit = (failed['503'] ?? 0) + (failed['504'] ?? 0);
    const other = Object.entries(failed)
      .filter(([status]) => !['503', '504', '0'].includes(status))
      .reduce((sum, [, n]) => sum + n, 0);
    return {
      report,
      facts: {
        ackedBefore: run.acked.before,
        ackedDuringOutage: run.acked.during,
        ackedAfter: run.acked.after,
        failedWith503: explicit,
        failedOtherwise: other,
        unansweredAttempts: failed['0'] ?? 0,
      },
      checks: { outageRefusedExplicitly: explicit > 0 && other === 0, recovered: run.acked.after > 0, caughtUp: run.caughtUp },
    };
  },
};
