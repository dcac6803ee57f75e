import type { Bus, Logger, RedisClient, RedisKeys, RevocationList, TokenVerifier } from '@chat/service-kit';
import type { RealtimeConfig } from './config.js';
import type { RealtimeMetrics } from './metrics.js';

/** The connections and shared machinery of one realtime node. */
export interface RealtimeDeps {
  config: RealtimeConfig;
  logger: Logger;
  bus: Bus;
  redis: RedisClient;
  keys: RedisKeys;
  revocations: RevocationList;
  verifier: TokenVerifier;
  metrics: RealtimeMetrics;
}
