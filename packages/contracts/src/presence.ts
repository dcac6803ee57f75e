import { IdParams, Timestamp, Uuid } from './common.js';
import { defineRoute } from './routes.js';
import { defineRpc } from './rpc.js';
import { z } from './zod.js';

/** Most users one presence lookup or watch may name. */
export const PRESENCE_BATCH_MAX = 500;
/** Most devices one heartbeat batch may refresh. */
export const HEARTBEAT_BATCH_MAX = 10_000;

/** What others see: `invisible` is seen as `offline`. */
export const PresenceStatus = z.enum(['online', 'away', 'dnd', 'offline']);
export type PresenceStatus = z.infer<typeof PresenceStatus>;
/** What a user may choose. */
export const ChosenStatus = z.enum(['online', 'away', 'dnd', 'invisible']);
export type ChosenStatus = z.infer<typeof ChosenStatus>;

/** A short text beside the status; an empty string clears it. */
export const CustomStatus = z
  .string()
  .trim()
  .max(140)
  .transform((s) => (s === '' ? null : s))
  .nullable();

/**
 * One user's presence as one viewer may see it. `lastSeenAt` only with `offline`, and only when the
 * user's privacy lets the viewer see it; `customStatus` never with `offline`.
 */
export const Presence = z
  .object({ userId: Uuid, status: PresenceStatus, lastSeenAt: Timestamp.optional(), customStatus: z.string().optional() })
  .openapi('Presence');
export type Presence = z.infer<typeof Presence>;

/** The caller's own presence: what they chose, and how others see them now (`offline` without a connected device). */
export const OwnPresence = z
  .object({ userId: Uuid, status: ChosenStatus, customStatus: z.string().nullable(), seenAs: PresenceStatus })
  .openapi('OwnPresence');
export type OwnPresence = z.infer<typeof OwnPresence>;

export const SetPresenceBody = z.strictObject({ status: ChosenStatus, customStatus: CustomStatus.optional() });
export type SetPresenceBody = z.infer<typeof SetPresenceBody>;

/** `ids=a,b,c`: comma-separated user ids. */
export const PresenceUsersQuery = z.strictObject({
  ids: z
    .string()
    // Generous, so that too many ids are reported as such; the request head is capped anyway.
    .max(PRESENCE_BATCH_MAX * 2 * 37)
    .transform((s) => s.split(','))
    .pipe(z.array(Uuid).min(1).max(PRESENCE_BATCH_MAX))
    .openapi({ type: 'string', description: `Comma-separated user ids (at most ${PRESENCE_BATCH_MAX})` }),
});

export const TypingUser = z.object({ userId: Uuid, since: Timestamp }).openapi('TypingUser');
export type TypingUser = z.infer<typeof TypingUser>;

const presence = { service: 'presence', access: 'user' } as const;

export const presenceRoutes = {
  users: defineRoute({ ...presence, method: 'get', path: '/presence/users', summary: 'Presence of users as the caller may see it', query: PresenceUsersQuery, status: 200, response: z.object({ data: z.array(Presence) }) }),
  setMe: defineRoute({ ...presence, method: 'put', path: '/presence/me', summary: "Set the caller's status and custom status", body: SetPresenceBody, status: 200, response: OwnPresence }),
  typing: defineRoute({ ...presence, method: 'get', path: '/chats/:id/typing', summary: 'Members typing in the chat now', params: IdParams, status: 200, response: z.object({ data: z.array(TypingUser) }), errors: [403, 404] }),
};

/** A realtime node's name or a socket's id, as the realtime service makes them. */
const RealtimeId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dot, dash, underscore (1-64)');
const Device = { appId: Uuid, userId: Uuid, connectionId: RealtimeId };
const UserIds = z.array(Uuid).min(1).max(PRESENCE_BATCH_MAX);

export const presenceRpcs = {
  /** A socket of the user is open on a realtime node. */
  connect: defineRpc('rpc.presence.connect', z.object({ ...Device, sessionId: Uuid, nodeId: RealtimeId }), z.object({})),
  disconnect: defineRpc('rpc.presence.disconnect', z.object(Device), z.object({})),
  /**
   * Keeps the node's sockets alive (each expires without one). `active`: the socket did more than
   * ping since the last heartbeat (resets the away timer). Split larger batches: NATS carries 1 MB.
   */
  heartbeat: defineRpc(
    'rpc.presence.heartbeat',
    z.object({ nodeId: RealtimeId, connections: z.array(z.object({ ...Device, active: z.boolean() })).max(HEARTBEAT_BATCH_MAX) }),
    z.object({}),
  ),
  /** The same as `PUT /presence/me`. */
  set: defineRpc('rpc.presence.set', z.object({ appId: Uuid, userId: Uuid, status: ChosenStatus, customStatus: CustomStatus.optional() }), z.object({ presence: OwnPresence })),
  /**
   * Presence of each user as the viewer may see it, and the users the viewer must get no live
   * presence of (reported offline): unknown ids, deleted accounts, other apps' users and a block
   * either way. Only the users not hidden may be watched.
   */
  watch: defineRpc('rpc.presence.watch', z.object({ appId: Uuid, viewerId: Uuid, userIds: UserIds }), z.object({ presences: z.array(Presence), hidden: z.array(Uuid) })),
  /** Starts (or renews) or stops the user's typing in the chat; refused as `rpc.chat.authorize` refuses `post`. */
  typing: defineRpc('rpc.presence.typing', z.object({ appId: Uuid, chatId: Uuid, userId: Uuid, typing: z.boolean() }), z.object({})),
  /** Raw last-seen times (no privacy applied: the caller applies it); now for a user seen online. */
  lastSeen: defineRpc('rpc.presence.last-seen', z.object({ appId: Uuid, userIds: UserIds }), z.object({ users: z.array(z.object({ userId: Uuid, lastSeenAt: Timestamp.nullable() })) })),
};

/** `d` of the `presence` live frame on `rt.presence.<appId>.<userId>` (`lastSeenAt` only when the user's last seen is public). */
export const PresenceFrameData = Presence;
/** `d` of the `typing` live frame on `rt.chat.<chatId>`. */
export const TypingFrameData = z.object({ userId: Uuid, typing: z.boolean() });
export type TypingFrameData = z.infer<typeof TypingFrameData>;
