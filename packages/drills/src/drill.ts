import { type DrillReport, isSafe } from './ledger.js';
import type { DrillStack } from './stack.js';

/** `short`: the quick version that runs with the test suite; `full`: the sizes of the reliability report. */
export type Scale = 'short' | 'full';

export type Facts = Record<string, number | string | boolean>;

export interface DrillOutcome {
  report: DrillReport;
  /** Drill-specific observations (seq holes, outbox rows left, answers dropped, …). */
  facts: Facts;
  /** Drill-specific conditions that must hold besides the ledger's zeros. */
  checks: Record<string, boolean>;
}

export interface Drill {
  id: number;
  title: string;
  /** Needs its own PostgreSQL, Redis and NATS (it breaks them). */
  privateInfra: boolean;
  /** Its short version runs with the test suite. */
  inTestSuite: boolean;
  run(stack: DrillStack, scale: Scale): Promise<DrillOutcome>;
}

export function passed(outcome: DrillOutcome): boolean {
  return isSafe(outcome.report) && Object.values(outcome.checks).every(Boolean);
}
