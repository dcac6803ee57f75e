// `npm run drills [-- --scale short|full] [--only 1,4,7]`: runs the fault drills and prints, for each,
// what was sent, acknowledged, delivered on the wire and shown, and every way it could have gone
// wrong (all zeros when it held). Writes the results as JSON into drill-results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type DrillOutcome, type Scale, passed } from './drill.js';
import { drills } from './drills/index.js';
import { DrillStack } from './stack.js';

const root = new URL('../../..', import.meta.url).pathname;
const { values } = parseArgs({ options: { scale: { type: 'string', default: 'full' }, only: { type: 'string' } } });
const scale = values.scale as Scale;
const only = values.only ? new Set(values.only.split(',').map(Number)) : undefined;
const chosen = drills.filter((d) => !only || only.has(d.id));

const results: { id: number; title: string; passed: boolean; seconds: number; outcome?: DrillOutcome; error?: string }[] = [];
let shared: DrillStack | undefined;
for (const drill of chosen) {
  const started = Date.now();
  process.stdout.write(`drill ${drill.id}: ${drill.title} … `);
  let stack: DrillStack | undefined;
  try {
    stack = drill.privateInfra ? await DrillStack.start({ privateInfra: true }) : (shared ??= await DrillStack.start());
    const outcome = await drill.run(stack, scale);
    results.push({ id: drill.id, title: drill.title, passed: passed(outcome), seconds: (Date.now() - started) / 1000, outcome });
  } catch (err) {
    results.push({ id: drill.id, title: drill.title, passed: false, seconds: (Date.now() - started) / 1000, error: String((err as Error).stack ?? err) });
  } finally {
    if (drill.privateInfra) await stack?.stop();
  }
  const last = results.at(-1)!;
  process.stdout.write(`${last.passed ? 'held' : 'FAILED'} (${last.seconds.toFixed(0)} s)\n`);
  if (last.outcome) {
    const { report, facts, checks } = last.outcome;
    const { lost } = report;
    process.stdout.write(
      `  attempted ${report.attempted}, acknowledged ${report.acknowledged}, refused ${report.refused}, on the wire ${report.deliveredOnWire}, shown ${report.shown} (${report.receivers} receivers)\n` +
        `  lost ${lost.prefix}/${lost.middle}/${lost.postfix} (prefix/middle/postfix), duplicates shown ${report.duplicatesShown}, order violations ${report.orderViolations}, gaps ${report.gaps}\n` +
        `  ${Object.entries(facts)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}\n` +
        `  checks: ${Object.entries(checks)
          .map(([k, v]) => `${k} ${v ? 'ok' : 'FAILED'}`)
          .join(', ')}\n`,
    );
  }
  if (last.error) process.stdout.write(`  ${last.error}\n`);
}
await shared?.stop();

mkdirSync(join(root, 'drill-results'), { recursive: true });
const file = join(root, 'drill-results', `drills-${scale}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({ scale, machine: { cores: 2, node: process.version }, results }, null, 2));
const failed = results.filter((r) => !r.passed).length;
process.stdout.write(`\n${results.length - failed} drills held, ${failed} failed; written ${file}\n`);
process.exit(failed ? 1 : 0);
