import { z } from '@chat/contracts';
import { BaseConfig, parseConfig } from '@chat/service-kit';

export const SearchConfig = BaseConfig.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8087),
  /** How long a call to another service (rpc.user.privacy, rebuild reads) may take. */
  RPC_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
  /**
   * Relevance order ranks the newest this-many matches of a query (then older matches follow,
   * newest first): ranking every match of a very common word would cost time for nothing.
   */
  SEARCH_RANK_WINDOW: z.coerce.number().int().min(10).max(10_000).default(200),
  /**
   * Up to this many chats, a message search reads the caller's chats through the chat index; beyond,
   * it walks the app's messages back in growing time slices (see the README).
   */
  SEARCH_PER_CHAT_MAX: z.coerce.number().int().min(0).max(100_000).default(200),
  /** Statement timeout of one search query: a pathological query fails with 503 instead of holding a connection. */
  SEARCH_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  /**
   * User searches per user a minute (`/search/users`, and `/search` when it includes users): far
   * below the general request limit, so the directory cannot be listed by trying prefix after prefix.
   */
  RATE_LIMIT_USER_SEARCH_PER_MINUTE: z.coerce.number().int().min(1).default(60),
  /**
   * Least time between two index transactions of one consumer: events arriving meanwhile go in
   * the next one together, so a transaction's fixed cost is shared however low the traffic (an
   * event after a quiet spell is still indexed at once).
   */
  INDEX_BATCH_INTERVAL_MS: z.coerce.number().int().min(0).max(10_000).default(250),
});
export type SearchConfig = z.infer<typeof SearchConfig>;

export function loadSearchConfig(env: Record<string, string | undefined>): SearchConfig {
  return parseConfig(SearchConfig, env);
}
