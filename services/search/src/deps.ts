import type { Platform } from '@chat/service-kit';
import type { SearchConfig } from './config.js';
import type { SearchMetrics } from './metrics.js';

/** What the search domain functions work with. */
export interface SearchDeps {
  platform: Platform;
  config: SearchConfig;
  metrics: SearchMetrics;
}
