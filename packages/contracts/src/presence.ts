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

export const Presence = z
  .object({ userId: Uuid, status: PresenceStatus, lastSeenAt: Timestamp.optional(), customStatus: z.string().optional() })
  .openapi('Presence')
  .describe(
    "One user's presence as one viewer may see it. `lastSeenAt` only with `offline`, and only when the user's privacy lets the viewer see it; `customStatus` never with `offline`.",
  );
export type Presence = z.infer<typeof Presence>;

export const OwnPresence = z
  .object({ userId: Uuid, status: ChosenStatus, customStatus: z.string().nullable(), seenAs: PresenceStatus })
  .openapi('OwnPresence')
  .describe("The caller's own presence: what they chose, and how others see them now (`offline` without a connected device).");
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

export const TypingUser = z.object({ userId: Uuid, since: Timestamp }).openapi('TypingUser').describe('A member typing in the chat now, since when.');
export type TypingUser = z.infer<typeof TypingUser>;

const presence = { service: 'presence', access: 'user' } as const;

export const presenceRoutes = {
  users: defineRoute({
    ...presence,
    method: 'get',
    path: '/presence/users',
    summary: 'Presence of users as the caller may see it',
    description:
      "`?ids=a,b,c` (≤ 500) → `{ data: [{ userId, status: online|away|dnd|offline, lastSeenAt?, customStatus? }] }`, each id once, in the order asked, privacy applied for the caller. Unknown users, deleted accounts and other apps' users are `offline` without `lastSeenAt`, exactly like a user who blocked the caller. 400 for more than 500 ids, a malformed id, a repeated `ids` or any other parameter.",
    query: PresenceUsersQuery,
    status: 200,
    response: z.object({ data: z.array(Presence) }),
  }),
  setMe: defineRoute({
    ...presence,
    method: 'put',
    path: '/presence/me',
    summary: "Set the caller's status and custom status",
    description:
      '`{ status: online|away|dnd|invisible, customStatus?: string ≤ 140 | null }` → `{ userId, status (chosen), customStatus, seenAs }`: what the caller chose and how others see them now (`offline` without a connected device, `offline` when invisible). `customStatus` left out keeps it; `null` or `""` clears it.',
    body: SetPresenceBody,
    status: 200,
    response: OwnPresence,
  }),
  typing: defineRoute({
    ...presence,
    method: 'get',
    path: '/chats/:id/typing',
    summary: 'Members typing in the chat now',
    description:
      "`{ data: [{ userId, since }] }`: members typing in the chat now (the caller too, from another device). Outsiders, other apps' users and unknown chats get 404.",
    params: IdParams,
    status: 200,
    response: z.object({ data: z.array(TypingUser) }),
    errors: [403, 404],
  }),
};

/** A realtime node's name or a socket's id, as the realtime service makes them. */
const RealtimeId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dot, dash, underscore (1-64)');
const Device = { appId: Uuid, userId: Uuid, connectionId: RealtimeId };
const UserIds = z.array(Uuid).min(1).max(PRESENCE_BATCH_MAX);

export const presenceRpcs = {
  connect: defineRpc(
    'rpc.presence.connect',
    z.object({ ...Device, sessionId: Uuid, nodeId: RealtimeId }),
    z.object({}),
    'A socket of the user is open on a realtime node.',
  ),
  disconnect: defineRpc(
    'rpc.presence.disconnect',
    z.object(Device),
    z.object({}),
    'A socket closed. A heartbeat that races it does not bring the socket back (a tombstone lives for one device lifetime).',
  ),
  heartbeat: defineRpc(
    'rpc.presence.heartbeat',
    z.object({ nodeId: RealtimeId, connections: z.array(z.object({ ...Device, active: z.boolean() })).max(HEARTBEAT_BATCH_MAX) }),
    z.object({}),
    "Keeps the node's sockets alive (each expires without one; one Redis lost comes back with the status the user chose). `active`: the socket did more than ping since the last heartbeat (resets the away timer). NATS carries 1 MB: send at most ~6,000 connections per request.",
  ),
  set: defineRpc(
    'rpc.presence.set',
    z.object({ appId: Uuid, userId: Uuid, status: ChosenStatus, customStatus: CustomStatus.optional() }),
    z.object({ presence: OwnPresence }),
    'The same as `PUT /presence/me`.',
  ),
  watch: defineRpc(
    'rpc.presence.watch',
    z.object({ appId: Uuid, viewerId: Uuid, userIds: UserIds }),
    z.object({ presences: z.array(Presence), hidden: z.array(Uuid) }),
    "Presence of each user as the viewer may see it, and the users the viewer must get no live presence of (reported offline): unknown ids, deleted accounts, other apps' users and a block either way. Only the users not hidden may be watched.",
  ),
  typing: defineRpc(
    'rpc.presence.typing',
    z.object({ appId: Uuid, chatId: Uuid, userId: Uuid, typing: z.boolean() }),
    z.object({}),
    "Starts (or renews) or stops the user's typing in the chat; refused as `rpc.chat.authorize` refuses `post`.",
  ),
  lastSeen: defineRpc(
    'rpc.presence.last-seen',
    z.object({ appId: Uuid, userIds: UserIds }),
    z.object({ users: z.array(z.object({ userId: Uuid, lastSeenAt: Timestamp.nullable() })) }),
    'Raw last-seen times (no privacy applied: the caller applies it); now for a user seen online, null when never seen.',
  ),
};

/** `d` of the `presence` live frame on `rt.presence.<appId>.<userId>` (`lastSeenAt` only when the user's last seen is public). */
export const PresenceFrameData = Presence;
/** `d` of the `typing` live frame on `rt.chat.<chatId>`. */
export const TypingFrameData = z.object({ userId: Uuid, typing: z.boolean() });
export type TypingFrameData = z.infer<typeof TypingFrameData>;
