// Validates the generated API documents: OpenAPI 3.1 (REST) with @readme/openapi-parser and
// AsyncAPI 3 (the WebSocket protocol) with @asyncapi/parser. Reads the contracts' TypeScript
// sources, so no build is needed: `npx tsx infra/checks/api-docs.mjs` (exit 1 on any error).
// `--out <dir>` also writes openapi.json and asyncapi.json there.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from '@asyncapi/parser';
import { compileErrors, validate } from '@readme/openapi-parser';
import { buildAsyncApiDocument, buildOpenApiDocument } from '../../packages/contracts/src/index.ts';

const openApi = buildOpenApiDocument();
const asyncApi = buildAsyncApiDocument();
let failed = false;

const openApiResult = await validate(structuredClone(openApi));
if (openApiResult.valid) {
  const operations = Object.values(openApi.paths ?? {}).flatMap((path) => Object.values(path));
  const bare = operations.filter((op) => !op.operationId || !op.description).map((op) => op.operationId ?? op.summary);
  const undescribed = Object.entries(openApi.components?.schemas ?? {})
    .filter(([, schema]) => !schema.description)
    .map(([name]) => name);
  if (bare.length) console.error(`openapi.json: operations without operationId or description: ${bare.join(', ')}`);
  if (undescribed.length) console.error(`openapi.json: component schemas without description: ${undescribed.join(', ')}`);
  if (bare.length || undescribed.length) failed = true;
  console.log(
    `openapi.json: valid OpenAPI ${openApi.openapi}, ${operations.length} operations, ${Object.keys(openApi.components?.schemas ?? {}).length} schemas`,
  );
} else {
  failed = true;
  console.error(`openapi.json is not valid:\n${compileErrors(openApiResult)}`);
}

const diagnostics = await new Parser().validate(JSON.stringify(asyncApi));
const errors = diagnostics.filter((d) => d.severity === 0);
for (const d of diagnostics) {
  const where = d.path.length ? d.path.join('.') : '(document)';
  (d.severity === 0 ? console.error : console.warn)(`asyncapi.json ${d.severity === 0 ? 'error' : 'warning'} at ${where}: ${d.message}`);
}
if (errors.length) failed = true;
else
  console.log(
    `asyncapi.json: valid AsyncAPI ${asyncApi.asyncapi}, ${Object.keys(asyncApi.operations).length} operations, ${Object.keys(asyncApi.components.messages).length} messages`,
  );

const outAt = process.argv.indexOf('--out');
if (outAt > 0 && process.argv[outAt + 1]) {
  const dir = process.argv[outAt + 1];
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'openapi.json'), `${JSON.stringify(openApi, null, 2)}\n`);
  writeFileSync(join(dir, 'asyncapi.json'), `${JSON.stringify(asyncApi, null, 2)}\n`);
  console.log(`written to ${dir}`);
}

process.exit(failed ? 1 : 0);
