// The short versions of the quicker fault drills (none that breaks PostgreSQL, Redis or NATS),
// against the services as real processes. `npm run drills` runs all twelve.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passed } from '../src/drill.js';
import { drills } from '../src/drills/index.js';
import { DrillStack } from '../src/stack.js';

let stack: DrillStack;
beforeAll(async () => {
  stack = await DrillStack.start();
}, 240_000);
afterAll(async () => {
  await stack?.stop();
});

describe('fault drills (short)', () => {
  for (const drill of drills.filter((d) => d.inTestSuite)) {
    it(`drill ${drill.id}: ${drill.title} — nothing lost, duplicated, reordered or skipped`, async () => {
      const outcome = await drill.run(stack, 'short');
      expect(passed(outcome), JSON.stringify(outcome, null, 1)).toBe(true);
    }, 300_000);
  }
});
