#!/usr/bin/env node
// The test command: type-checks every workspace, runs the whole vitest suite against the local
// PostgreSQL/Redis/NATS, and ends with one plain `N passed, N failed` line.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { requireDependencies } from './reachability.mjs';

const root = new URL('..', import.meta.url).pathname;
const results = join(root, '.test-results.json');
const args = process.argv.slice(2);

await requireDependencies();

// SKIP_TYPECHECK=1: a second run of the same tree (another Node.js version) skips the type check.
const typecheck =
  process.env.SKIP_TYPECHECK === '1'
    ? { status: 0 }
    : spawnSync('npx', ['turbo', 'run', 'typecheck', '--output-logs=errors-only'], {
        cwd: root,
        stdio: 'inherit',
        env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
      });
if (typecheck.status !== 0) {
  process.stdout.write('type check failed\n0 passed, 1 failed\n');
  process.exit(1);
}

rmSync(results, { force: true });
const vitest = spawnSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${results}`, ...args], {
  cwd: root,
  stdio: 'inherit',
});

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(results)) {
  const report = JSON.parse(readFileSync(results, 'utf8'));
  passed = report.numPassedTests;
  failed = report.numFailedTests;
  skipped = report.numPendingTests + report.numTodoTests;
  // A file that fails to load counts as a failure even though none of its tests ran.
  failed += report.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
} else {
  failed = 1;
}
process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exit(failed > 0 || vitest.status !== 0 ? 1 : 0);
