import { z } from '@chat/contracts';
import { BaseConfig, parseConfig } from '@chat/service-kit';

const ms = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);

export const PresenceConfig = BaseConfig.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8086),
  /** How long a call to another service (rpc.user.*, rpc.chat.*) may take before the request fails with 504. */
  RPC_TIMEOUT_MS: ms(100, 60_000, 2000),
  /** A device without a heartbeat for this long is gone (realtime nodes beat every ~15 s: two beats and some slack). */
  PRESENCE_DEVICE_TTL_MS: ms(100, 3_600_000, 65_000),
  /** A user online without activity for this long is shown as away. */
  PRESENCE_AWAY_AFTER_MS: ms(100, 86_400_000, 300_000),
  /** After the last device leaves, offline is published only if none came back within this time (absorbs flapping). */
  PRESENCE_OFFLINE_GRACE_MS: ms(0, 600_000, 2000),
  /** How often expired devices, due auto-aways, ended grace periods and stale typing are looked for. */
  PRESENCE_SWEEP_INTERVAL_MS: ms(10, 60_000, 1000),
  /** Most users (or typing entries) one sweep handles; the rest wait for the next. */
  PRESENCE_SWEEP_BATCH: ms(1, 100_000, 1000),
  /** Typing stops by itself this long after the last renewal. */
  TYPING_TTL_MS: ms(100, 600_000, 10_000),
  /** At most one typing event per user and chat is forwarded within this window. */
  TYPING_MIN_INTERVAL_MS: ms(0, 60_000, 1000),
});
export type PresenceConfig = z.infer<typeof PresenceConfig>;

export function loadPresenceConfig(env: Record<string, string | undefined>): PresenceConfig {
  return parseConfig(PresenceConfig, env);
}
