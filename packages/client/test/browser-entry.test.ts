import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

interface ImportRef {
  file: string;
  specifier: string;
  typeOnly: boolean;
}

/** Every import and re-export reachable from `entry`, following relative ones. */
function importGraph(entry: string): ImportRef[] {
  const refs: ImportRef[] = [];
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    for (const node of source.statements) {
      let specifier: string | undefined;
      let typeOnly = false;
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        specifier = node.moduleSpecifier.text;
        const clause = node.importClause;
        const bindings = clause?.namedBindings;
        typeOnly =
          !!clause && (clause.isTypeOnly || (!clause.name && !!bindings && ts.isNamedImports(bindings) && bindings.elements.every((e) => e.isTypeOnly)));
      } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        specifier = node.moduleSpecifier.text;
        const clause = node.exportClause;
        typeOnly = node.isTypeOnly || (!!clause && ts.isNamedExports(clause) && clause.elements.every((e) => e.isTypeOnly));
      }
      if (specifier === undefined) continue;
      refs.push({ file: relative(SRC, file), specifier, typeOnly });
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
    }
  };
  visit(entry);
  return refs;
}

describe('browser entry', () => {
  it('when the import graph of src/index.ts is walked, then it reaches no Node module, no ws, and @chat/contracts only for types', () => {
    const refs = importGraph(join(SRC, 'index.ts'));
    const external = refs.filter((r) => !r.specifier.startsWith('.'));
    expect(external.length).toBeGreaterThan(0);
    expect(external.filter((r) => r.specifier.startsWith('node:') || r.specifier === 'ws')).toEqual([]);
    expect(external.filter((r) => r.specifier !== '@chat/contracts' || !r.typeOnly)).toEqual([]);
    // The Node entry is where ws comes in.
    expect(importGraph(join(SRC, 'node.ts')).map((r) => r.specifier)).toContain('ws');
  });

  it('when the files reachable from src/index.ts are read, then none uses a Node global', () => {
    const files = new Set([
      'index.ts',
      ...importGraph(join(SRC, 'index.ts'))
        .filter((r) => r.specifier.startsWith('.'))
        .map((r) => join(dirname(r.file), r.specifier.replace(/\.js$/, '.ts'))),
    ]);
    const nodeGlobals = /\b(Buffer|process|require|__dirname|__filename|setImmediate)\b/;
    const offenders = [...files].filter((f) => {
      const code = readFileSync(join(SRC, f), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      return nodeGlobals.test(code);
    });
    expect(files.size).toBeGreaterThan(5);
    expect(offenders).toEqual([]);
  });
});
