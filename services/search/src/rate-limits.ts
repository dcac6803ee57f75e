import type { LimitRule } from '@chat/service-kit';
import type { SearchConfig } from './config.js';

const MINUTE = 60_000;

/** The search service's own limits (the general per-user request limit lives in the gateway). */
export function searchRateLimits(config: SearchConfig): Record<'userSearch', LimitRule> {
  return {
    /** User searches per user: each answers up to a page of the app's directory. */
    userSearch: { limit: config.RATE_LIMIT_USER_SEARCH_PER_MINUTE, windowMs: MINUTE },
  };
}
