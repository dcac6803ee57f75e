// The short versions of the fault drills that need no private servers, against the real processes.
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
  for (const drill of drills.filter((d) => !d.privateInfra)) {
    it(`drill ${drill.id}: ${drill.title} — nothing lost, duplicated, reordered or skipped`, async () => {
      const outcome = await drill.run(stack, 'short');
      expect(passed(outcome), JSON.stringify(outcome, null, 1)).toBe(true);
    }, 180_000);
  }
});
