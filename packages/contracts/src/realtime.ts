import { ErrorCode, Timestamp, Uuid } from './common.js';
import { DeleteScope, EVENTS_PAGE_MAX, Emoji, Message, MessageText, SendMessageBody } from './message.js';
import { PRESENCE_BATCH_MAX, Presence, SetPresenceBody } from './presence.js';
import { z } from './zod.js';

/** Largest inbound WebSocket frame; a larger one closes the socket with 1009. */
export const REALTIME_FRAME_MAX_BYTES = 64 * 1024;
/** Most chats one `sync` may name. */
export const SYNC_CHATS_MAX = 1000;

/** WebSocket close codes of the protocol (besides 1001 going away and 1009 frame too big). */
export const CloseCode = {
  goingAway: 1001,
  tooBig: 1009,
  tryAgainLater: 1013,
  /** No heartbeat for two intervals. */
  heartbeatTimeout: 4000,
  unauthorized: 4001,
  slowConsumer: 4008,
  rateLimited: 4029,
} as const;

/** Client-chosen id echoed by the `ack` or `error` frame that answers the request. */
export const FrameRef = z.union([z.string().min(1).max(64), z.number().int().safe()]);
export type FrameRef = z.infer<typeof FrameRef>;

const Seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const UserIds = z
  .array(Uuid)
  .min(1)
  .max(PRESENCE_BATCH_MAX)
  .refine((ids) => new Set(ids).size === ids.length, 'ids must not repeat');

function request<const O extends string, D extends z.ZodType>(op: O, d: D) {
  return z.strictObject({ op: z.literal(op), ref: FrameRef.optional(), d });
}

/** Every client → server frame, one strict schema per op. */
export const clientOps = {
  auth: request('auth', z.strictObject({ token: z.string().min(1).max(4096) })),
  ping: z.strictObject({ op: z.literal('ping'), ref: FrameRef.optional(), d: z.unknown().optional() }),
  sync: request(
    'sync',
    z.strictObject({
      chats: z.record(Uuid, Seq).refine((chats) => Object.keys(chats).length <= SYNC_CHATS_MAX, `at most ${SYNC_CHATS_MAX} chats`),
    }),
  ),
  'message.send': request('message.send', SendMessageBody.safeExtend({ chatId: Uuid })),
  'message.edit': request('message.edit', z.strictObject({ messageId: Uuid, text: MessageText })),
  'message.delete': request('message.delete', z.strictObject({ messageId: Uuid, for: DeleteScope })),
  'reaction.add': request('reaction.add', z.strictObject({ messageId: Uuid, emoji: Emoji })),
  'reaction.remove': request('reaction.remove', z.strictObject({ messageId: Uuid, emoji: Emoji })),
  read: request('read', z.strictObject({ chatId: Uuid, seq: Seq })),
  delivered: request('delivered', z.strictObject({ chatId: Uuid, seq: Seq })),
  'typing.start': request('typing.start', z.strictObject({ chatId: Uuid })),
  'typing.stop': request('typing.stop', z.strictObject({ chatId: Uuid })),
  'presence.set': request('presence.set', SetPresenceBody),
  'presence.subscribe': request('presence.subscribe', z.strictObject({ userIds: UserIds })),
  'presence.unsubscribe': request('presence.unsubscribe', z.strictObject({ userIds: UserIds })),
};
export type ClientOpName = keyof typeof clientOps;
export type ClientOp<O extends ClientOpName> = z.infer<(typeof clientOps)[O]>;

export function isClientOpName(op: unknown): op is ClientOpName {
  return typeof op === 'string' && Object.hasOwn(clientOps, op);
}

/** Server → client frames. `event` is `LiveEvent` (live.ts). */
export const ReadyFrame = z.object({
  op: z.literal('ready'),
  d: z.object({ connectionId: z.string(), userId: Uuid, sessionId: Uuid, heartbeatIntervalMs: z.number().int(), serverTime: Timestamp }),
});
export type ReadyFrame = z.infer<typeof ReadyFrame>;

/** The answer to a `ping` frame (WebSocket-level pings are answered by the socket itself). */
export const PongFrame = z.object({ op: z.literal('pong'), ref: FrameRef.optional() });
export type PongFrame = z.infer<typeof PongFrame>;

export const AckFrame = z.object({ op: z.literal('ack'), ref: FrameRef.optional(), d: z.record(z.string(), z.unknown()) });
export type AckFrame = z.infer<typeof AckFrame>;

export const ErrorFrame = z.object({
  op: z.literal('error'),
  ref: FrameRef.optional(),
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    /** Seconds to wait before trying again, with `rate_limited` (as HTTP's `Retry-After`). */
    retryAfter: z.number().int().positive().optional(),
  }),
});
export type ErrorFrame = z.infer<typeof ErrorFrame>;

/**
 * One chat's entry in the `sync` ack: the seq the socket now holds everything up to (more after it
 * when `hasMore`: page on with `GET /chats/:id/events`), or the error code (`forbidden` for a chat
 * the user does not belong to).
 */
export const SyncChatResult = z.union([z.object({ lastSeq: z.number().int(), hasMore: z.boolean() }), z.object({ error: ErrorCode })]);
export const SyncAck = z.object({ chats: z.record(Uuid, SyncChatResult) });
export type SyncAck = z.infer<typeof SyncAck>;

/** Ack data of each op. */
export const opAcks = {
  sync: SyncAck,
  /** `created`: false when the `clientMessageId` was sent before and this is the stored message. */
  'message.send': z.object({ message: Message, created: z.boolean() }),
  'message.edit': z.object({ message: Message }),
  'presence.subscribe': z.object({ presences: z.array(Presence) }),
  'presence.unsubscribe': z.object({ presences: z.array(Presence) }),
};

/** Most log events one sync replays per chat (then `hasMore`). */
export const SYNC_REPLAY_MAX = EVENTS_PAGE_MAX;
