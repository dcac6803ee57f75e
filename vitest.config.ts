import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** `@chat/<service>` → its `src/app.ts`, for every service folder. */
const serviceAliases = Object.fromEntries(
  readdirSync(src('./services'))
    .filter((name) => existsSync(src(`./services/${name}/src/app.ts`)))
    .map((name) => [`@chat/${name}`, src(`./services/${name}/src/app.ts`)]),
);

export default defineConfig({
  resolve: {
    // Tests run the TypeScript sources of the workspace packages, no build needed.
    alias: {
      '@chat/contracts': src('./packages/contracts/src/index.ts'),
      '@chat/service-kit': src('./packages/service-kit/src/index.ts'),
      '@chat/testkit': src('./packages/testkit/src/index.ts'),
      // The subpath first: an alias also matches the ids it prefixes.
      '@chat/client/node': src('./packages/client/src/node.ts'),
      '@chat/client': src('./packages/client/src/index.ts'),
      '@chat/gateway': src('./gateway/src/app.ts'),
      ...serviceAliases,
    },
  },
  test: {
    include: ['{packages,services,gateway}/**/test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 3,
    testTimeout: 20_000,
    hookTimeout: 60_000,
    teardownTimeout: 20_000,
  },
});
