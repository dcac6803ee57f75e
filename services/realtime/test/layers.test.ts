import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('../src', import.meta.url));

/**
 * The node's layers, lowest first: a file may import its own layer and the ones below, never one
 * above. entry (sockets, NATS and HTTP coming in) → ops → hub → primitives (socket, delivery,
 * frames), with the outbound clients and stores beside the primitives and the composition root
 * (app, node, main) on top.
 */
const LAYERS: [rank: number, match: (path: string) => boolean][] = [
  [0, (p) => /^(primitives|store|outbound)\//.test(p) || ['config.ts', 'metrics.ts', 'deps.ts'].includes(p)],
  [1, (p) => p.startsWith('hub/')],
  [2, (p) => p === 'context.ts'],
  [3, (p) => p.startsWith('ops/')],
  [4, (p) => p.startsWith('entry/')],
  [5, (p) => ['app.ts', 'node.ts', 'main.ts'].includes(p)],
];

function rankOf(path: string): number {
  const layer = LAYERS.find(([, match]) => match(path));
  if (!layer) throw new Error(`${path} belongs to no layer: add its folder to the table`);
  return layer[0];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('realtime layers', () => {
  it('when any source file imports another, then never from a layer above its own', () => {
    const upward: string[] = [];
    for (const file of sourceFiles(src)) {
      const from = relative(src, file);
      for (const [, spec] of readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
        const to = relative(src, normalize(join(dirname(file), spec!.replace(/\.js$/, '.ts'))));
        if (rankOf(to) > rankOf(from)) upward.push(`${from} → ${to}`);
      }
    }
    expect(upward).toEqual([]);
  });
});
