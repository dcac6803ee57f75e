// `npm run rebuild -w @chat/search`: re-derives the search projection from the owning services
// over rpc (chat, message and user services must be running on the same NATS), then exits.
import { createLogger, openPlatform } from '@chat/service-kit';
import { MIGRATIONS_DIR, SERVICE } from './app.js';
import { loadSearchConfig } from './config.js';
import { rebuildIndex } from './domain/rebuild.js';
import { createSearchMetrics } from './metrics.js';

const config = loadSearchConfig(process.env);
const logger = createLogger(SERVICE, config.LOG_LEVEL);
const platform = await openPlatform({ service: SERVICE, config, migrationsDir: MIGRATIONS_DIR, logger, startRelay: false });
try {
  const report = await rebuildIndex({ platform, config, metrics: createSearchMetrics() }, (r) => logger.info('rebuild progress', { ...r }));
  logger.info('rebuild done', { ...report });
} catch (err) {
  logger.error('rebuild failed', { err: err instanceof Error ? err.message : String(err) });
  process.exitCode = 1;
} finally {
  await platform.close();
}
