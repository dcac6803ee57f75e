// Writes the generated parts of the docs from the contract descriptors (packages/contracts):
// each service README's route, published-event and served-rpc tables, and the events table of
// docs/architecture.md, each between `<!-- generated:<kind> -->` and `<!-- /generated:<kind> -->`.
// Text outside the markers is left as written.
//
//   npx tsx infra/docs/generate.mjs           rewrite the generated parts (npm run docs)
//   npx tsx infra/docs/generate.mjs --check   exit 1 when a committed part differs (npm run docs:check)
import { readFileSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allEvents, allRoutes, allRpcs } from '../../packages/contracts/src/index.ts';
import { eventsTable, routesTable, rpcTable } from './tables.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const check = process.argv.includes('--check');
const NOTE = '<!-- Generated from packages/contracts by `npm run docs`: change the descriptors, not this table. -->';

/** The generated blocks of one file, by marker kind (empty blocks are left out). */
function serviceBlocks(service) {
  const routes = allRoutes.filter((route) => route.service === service);
  const events = allEvents.filter((event) => event.type.startsWith(`${service}.`));
  const rpcs = allRpcs.filter((rpc) => rpc.subject.startsWith(`rpc.${service}.`));
  const blocks = {};
  if (routes.length) blocks.routes = routesTable(routes);
  if (events.length) blocks.events = eventsTable(events);
  if (rpcs.length) blocks.rpc = rpcTable(rpcs);
  return blocks;
}

function targets() {
  const list = [];
  for (const name of readdirSync(join(root, 'services')).sort()) {
    const file = join(root, 'services', name, 'README.md');
    if (existsSync(file)) list.push({ file, blocks: serviceBlocks(name) });
  }
  list.push({ file: join(root, 'docs', 'architecture.md'), blocks: { events: eventsTable(allEvents, { withPublisher: true }) } });
  return list;
}

/** Replaces each marked block; reports blocks that have no markers in the file. */
function render(text, blocks, missing) {
  let out = text;
  for (const [kind, body] of Object.entries(blocks)) {
    const open = `<!-- generated:${kind} -->`;
    const close = `<!-- /generated:${kind} -->`;
    const start = out.indexOf(open);
    const end = out.indexOf(close);
    if (start < 0 || end < start) {
      missing.push(kind);
      continue;
    }
    out = `${out.slice(0, start + open.length)}\n${NOTE}\n\n${body}\n${out.slice(end)}`;
  }
  return out;
}

function firstDifference(a, b) {
  const left = a.split('\n');
  const right = b.split('\n');
  const line = left.findIndex((l, i) => l !== right[i]);
  const at = line < 0 ? Math.min(left.length, right.length) : line;
  return { line: at + 1, committed: left[at] ?? '(end of file)', generated: right[at] ?? '(end of file)' };
}

let stale = 0;
for (const { file, blocks } of targets()) {
  const name = relative(root, file);
  const text = readFileSync(file, 'utf8');
  const missing = [];
  const next = render(text, blocks, missing);
  for (const kind of missing) console.warn(`${name}: no <!-- generated:${kind} --> markers; its ${kind} table is not generated`);
  if (next === text) continue;
  if (check) {
    stale++;
    const diff = firstDifference(text, next);
    console.error(`${name}: generated tables are out of date (first difference at line ${diff.line})`);
    console.error(`  committed: ${diff.committed.slice(0, 160)}`);
    console.error(`  generated: ${diff.generated.slice(0, 160)}`);
  } else {
    writeFileSync(file, next);
    console.log(`${name}: updated`);
  }
}
if (stale) {
  console.error(`\n${stale} file(s) differ from the contracts: run \`npm run docs\` and commit the result.`);
  process.exit(1);
}
if (check) console.log('docs: generated tables match the contracts');
