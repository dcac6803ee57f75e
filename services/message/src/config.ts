import { z } from '@chat/contracts';
import { BaseConfig, parseConfig } from '@chat/service-kit';

const flag = z.enum(['true', 'false']).transform((v) => v === 'true');

export const MessageConfig = BaseConfig.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8084),
  /** How long a call to another service (rpc.chat.*, rpc.media.*, rpc.user.*) may take before the request fails with 504. */
  RPC_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
  /** How long a sender may edit a message. */
  EDIT_WINDOW_HOURS: z.coerce
    .number()
    .min(0)
    .max(24 * 365)
    .default(48),
  /**
   * How long an answer of rpc.chat.authorize is reused at most. The chat's events drop it at once
   * and a lost NATS connection drops them all: this bounds staleness only when those events are late.
   */
  AUTHORIZE_CACHE_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
  /** Whether silent messages count as unread. */
  UNREAD_COUNTS_SILENT: flag.default(true),
  /** Most sends the group commit writes in one transaction. */
  SEND_BATCH_MAX: z.coerce.number().int().min(1).max(1000).default(200),
  /**
   * Most group-commit transactions under way at a time (each on its own chats). Few and large
   * beats many and small: with one at a time, the sends that arrive during a transaction form the
   * next batch, which costs PostgreSQL a fifth less CPU per send than two at a time and kept the
   * latency tail lower under the fan-out benchmark.
   */
  SEND_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  /**
   * Overload admission: while batches leave the group commit's queue after their oldest send
   * waited longer than this and sends are waiting, new sends are refused with 429 `rate_limited`.
   * A bound on the queueing delay only: an admitted send also waits for its own transaction.
   */
  SEND_QUEUE_TARGET_MS: z.coerce.number().int().min(1).max(10_000).default(50),
  /** Most sends waiting for the group commit; past it new sends are refused with 429 `rate_limited`. */
  SEND_QUEUE_MAX: z.coerce.number().int().min(1).max(1_000_000).default(5000),
});
export type MessageConfig = z.infer<typeof MessageConfig>;

export function loadMessageConfig(env: Record<string, string | undefined>): MessageConfig {
  return parseConfig(MessageConfig, env);
}
