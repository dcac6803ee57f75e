import { randomBytes } from 'node:crypto';
import { z } from '@chat/contracts';
import { BaseConfig, boolFromEnv, parseConfig } from '@chat/service-kit';

const int = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);

export const RealtimeConfig = BaseConfig.extend({
  PORT: int(0, 65535, 8088),
  /** This node's name for presence (its sockets expire together if it dies); unique per running node. */
  NODE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/)
    .default(() => `rt-${randomBytes(6).toString('hex')}`),
  /** How long a call to another service may take before the op fails with `timeout`. */
  RPC_TIMEOUT_MS: int(100, 60_000, 5000),
  /** Told to clients in `ready`; a socket silent for two intervals is closed (4000). */
  WS_HEARTBEAT_INTERVAL_MS: int(100, 600_000, 30_000),
  /** A socket without a header token must send `auth` within this time (else 4001). */
  WS_AUTH_TIMEOUT_MS: int(100, 60_000, 5000),
  /** Ops a socket may send per second on average (every frame counts, pings included). */
  WS_OPS_PER_SECOND: int(1, 10_000, 20),
  /** Ops a socket may send at once before the per-second rate applies. */
  WS_OPS_BURST: int(1, 100_000, 40),
  /** Refused ops (draining at the per-second rate) tolerated before the socket is closed with 4029. */
  WS_ABUSE_TOLERANCE: int(1, 1_000_000, 100),
  /** Bytes queued for one socket beyond which it is cut off as a slow consumer (4008). */
  WS_SEND_BUFFER_BYTES: int(1024, 1024 ** 3, 4 * 1024 * 1024),
  /** A socket closed as a slow consumer is destroyed after this long if it never reads its close frame. */
  WS_CLOSE_GRACE_MS: int(0, 60_000, 5000),
  /** Comma-separated origins allowed to open a socket, or `*`; requests without Origin (native apps) always pass. */
  WS_ALLOWED_ORIGINS: z.string().default('*'),
  /**
   * Sockets not yet authenticated one client address may hold open on this node (the address as
   * `TRUST_PROXY` resolves it); an upgrade over it is refused with 429.
   */
  WS_MAX_UNAUTHENTICATED_PER_IP: int(1, 100_000, 20),
  /** Open sockets one user may have across all nodes (Redis-counted). */
  WS_MAX_CONNECTIONS_PER_USER: int(1, 100_000, 20),
  /** Users whose live presence one socket may watch. */
  WS_PRESENCE_WATCH_MAX: int(1, 100_000, 2000),
  /** Chats one socket replays at once during a `sync`. */
  WS_SYNC_CONCURRENCY: int(1, 64, 4),
  /** How long a chat's live log frame after a seq gap waits for the missing ones (publishers may race); 0: no reordering. */
  WS_REORDER_WINDOW_MS: int(0, 10_000, 50),
  /**
   * The WebSocket URL clients reach this node at (behind a layer-4 balancer: the balancer's), told
   * by `GET /realtime`; unset: `ws://<HOST>:<PORT>/ws`.
   */
  REALTIME_PUBLIC_URL: z
    .string()
    .regex(/^wss?:\/\/[^\s]+$/, 'must be a ws:// or wss:// URL')
    .optional(),
  /** Lists this node in `GET /realtime` for direct connections (off: reached only through the gateway's /ws or its own URL). */
  REALTIME_LISTED: boolFromEnv.default(true),
  /** How often the node reports its URL and socket count to the directory behind `GET /realtime`. */
  NODE_REPORT_INTERVAL_MS: int(100, 600_000, 5000),
  /**
   * How often the node renews its sockets with presence and the connection counter (spread over
   * the interval). Keep the presence service's PRESENCE_DEVICE_TTL_MS a little over twice this: it
   * is how long a crashed node's users still show online.
   */
  PRESENCE_HEARTBEAT_MS: int(100, 600_000, 30_000),
});
export type RealtimeConfig = z.infer<typeof RealtimeConfig>;

export function loadRealtimeConfig(env: Record<string, string | undefined>): RealtimeConfig {
  return parseConfig(RealtimeConfig, env);
}

export function allowedOrigins(config: RealtimeConfig): Set<string> | 'any' {
  const list = config.WS_ALLOWED_ORIGINS.split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  return list.includes('*') ? 'any' : new Set(list);
}
