import { IdParams, PageQuery, Timestamp, Uuid, pageOf } from './common.js';
import { defineEvent } from './events.js';
import { defineRoute } from './routes.js';
import { defineRpc } from './rpc.js';
import { Message } from './message.js';
import { CONTACT_SYNC_MAX } from './user.js';
import { z } from './zod.js';

export const ChatType = z.enum(['direct', 'group', 'channel']);
export type ChatType = z.infer<typeof ChatType>;
export const ChatRole = z.enum(['owner', 'admin', 'moderator', 'member']);
export type ChatRole = z.infer<typeof ChatRole>;

/**
 * What a member may try in a chat; `domain/permissions.ts` of the chat service holds the one
 * table of which role may do which, and `rpc.chat.authorize` answers from it.
 */
export const ChatAction = z.enum([
  'read',
  'post',
  'pin',
  'delete_others_messages',
  'view_members',
  'add_members',
  'remove_members',
  'change_roles',
  'edit_info',
  'manage_invites',
  'ban_members',
  'moderate_chat',
  'delete_chat',
]);
export type ChatAction = z.infer<typeof ChatAction>;

/** Most users one request may add (each is checked against the user service in one batch). */
export const CHAT_ADD_MAX = CONTACT_SYNC_MAX;

/** A time a client sets (mute, expiry): within years 1970–9999 UTC, which every store and client represents. */
export const SettableTime = Timestamp.refine((s) => {
  const year = new Date(s).getUTCFullYear();
  return year >= 1970 && year <= 9999;
}, 'must be between 1970 and 9999');

const ChatName = z.string().trim().min(1).max(128);
const ChatDescription = z
  .string()
  .trim()
  .max(1000)
  .transform((s) => (s === '' ? null : s))
  .nullable();
const SlowModeSeconds = z.number().int().min(0).max(86_400);
export const InviteCode = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'not an invite code');

export const Chat = z
  .object({
    id: Uuid,
    type: ChatType,
    name: z.string().nullable(),
    description: z.string().nullable(),
    avatarMediaId: Uuid.nullable(),
    isPublic: z.boolean(),
    /** Groups only: every member may add members, not only owner and admins. */
    membersCanAdd: z.boolean(),
    memberCount: z.number().int(),
    /** Direct chats: the other member. */
    peerId: Uuid.nullable(),
    frozen: z.boolean(),
    slowModeSeconds: z.number().int(),
    /** History before this time is hidden for everyone. */
    truncatedAt: Timestamp.nullable(),
    createdBy: Uuid,
    createdAt: Timestamp,
    updatedAt: Timestamp,
    /** When the chat was last active for the caller (created, updated, a message, or the caller joined). */
    lastActivityAt: Timestamp,
    myRole: ChatRole,
    muted: z.boolean(),
    mutedUntil: Timestamp.nullable(),
    pinned: z.boolean(),
    archived: z.boolean(),
    lastMessage: Message.nullable(),
    lastSeq: z.number().int(),
    unreadCount: z.number().int(),
  })
  .openapi('Chat')
  .describe(
    "A chat as one member sees it. `lastMessage`, `lastSeq` and `unreadCount` come from the message service's log (null, 0 and 0 while it cannot be reached).",
  );
export type Chat = z.infer<typeof Chat>;

export const PublicChat = z
  .object({
    id: Uuid,
    type: ChatType,
    name: z.string().nullable(),
    description: z.string().nullable(),
    avatarMediaId: Uuid.nullable(),
    memberCount: z.number().int(),
    isMember: z.boolean(),
    createdAt: Timestamp,
  })
  .openapi('PublicChat')
  .describe('A public group or channel as anyone of the app may discover it.');
export type PublicChat = z.infer<typeof PublicChat>;

export const Member = z.object({ userId: Uuid, role: ChatRole, joinedAt: Timestamp }).openapi('ChatMember').describe('A member of a chat and their role.');
export type Member = z.infer<typeof Member>;

export const ChatSettings = z
  .object({ chatId: Uuid, muted: z.boolean(), mutedUntil: Timestamp.nullable(), pinned: z.boolean(), archived: z.boolean() })
  .openapi('ChatSettings')
  .describe("A member's own settings of a chat (mute, pin, archive), seen by nobody else.");
export type ChatSettings = z.infer<typeof ChatSettings>;

export const InviteLink = z
  .object({
    code: z.string(),
    chatId: Uuid,
    createdBy: Uuid,
    createdAt: Timestamp,
    expiresAt: Timestamp.nullable(),
    maxUses: z.number().int().nullable(),
    uses: z.number().int(),
  })
  .openapi('InviteLink')
  .describe('An invite code to a chat, with its expiry, use limit and uses so far.');
export type InviteLink = z.infer<typeof InviteLink>;

export const Ban = z
  .object({
    chatId: Uuid,
    userId: Uuid,
    reason: z.string().nullable(),
    expiresAt: Timestamp.nullable(),
    shadow: z.boolean(),
    bannedBy: Uuid,
    createdAt: Timestamp,
  })
  .openapi('ChatBan')
  .describe('A ban of a user from a chat (timed or not; a shadow ban keeps the member in, seen only by themself).');
export type Ban = z.infer<typeof Ban>;

export const CreateChatBody = z.strictObject({
  type: ChatType,
  /** Direct: exactly the other member. Group/channel: members besides the creator (the owner). */
  memberIds: z.array(Uuid).max(CHAT_ADD_MAX).optional(),
  name: ChatName.optional(),
  description: ChatDescription.optional(),
  avatarMediaId: Uuid.nullable().optional(),
  isPublic: z.boolean().optional(),
  membersCanAdd: z.boolean().optional(),
});
export type CreateChatBody = z.infer<typeof CreateChatBody>;

const atLeastOne = (o: object) => Object.keys(o).length > 0;

export const UpdateChatBody = z
  .strictObject({
    name: ChatName.optional(),
    description: ChatDescription.optional(),
    avatarMediaId: Uuid.nullable().optional(),
    isPublic: z.boolean().optional(),
    membersCanAdd: z.boolean().optional(),
  })
  .refine(atLeastOne, 'nothing to change');
export type UpdateChatBody = z.infer<typeof UpdateChatBody>;

export const ListChatsQuery = PageQuery.extend({
  archived: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});
export const PublicChatsQuery = PageQuery.extend({ q: z.string().trim().max(128).optional() });

export const AddMembersBody = z.strictObject({
  userIds: z.array(Uuid).min(1).max(CHAT_ADD_MAX),
  role: ChatRole.exclude(['owner']).optional(),
});
export type AddMembersBody = z.infer<typeof AddMembersBody>;
export const ChangeRoleBody = z.strictObject({ role: ChatRole });
export const MemberParams = z.strictObject({ id: Uuid, userId: Uuid });
export const AddedMembers = z
  .object({ members: z.array(Member) })
  .openapi('AddedMembers')
  .describe('The membership of each user named by the request (users already in are left as they were).');

export const CreateInviteBody = z.strictObject({
  expiresAt: SettableTime.optional(),
  maxUses: z.number().int().min(1).max(1_000_000).optional(),
});
export type CreateInviteBody = z.infer<typeof CreateInviteBody>;
export const InviteParams = z.strictObject({ id: Uuid, code: InviteCode });
export const JoinByCodeBody = z.strictObject({ code: InviteCode });

export const UpdateChatSettingsBody = z.strictObject({
  mutedUntil: SettableTime.nullable().optional(),
  pinned: z.boolean().optional(),
  archived: z.boolean().optional(),
});
export type UpdateChatSettingsBody = z.infer<typeof UpdateChatSettingsBody>;

export const BanBody = z.strictObject({
  userId: Uuid,
  reason: z.string().trim().min(1).max(500).optional(),
  expiresAt: SettableTime.optional(),
  shadow: z.boolean().optional(),
});
export type BanBody = z.infer<typeof BanBody>;

export const ModerationBody = z
  .strictObject({ frozen: z.boolean().optional(), slowModeSeconds: SlowModeSeconds.optional() })
  .refine(atLeastOne, 'nothing to change');
export type ModerationBody = z.infer<typeof ModerationBody>;

const chat = { service: 'chat', access: 'user' } as const;

// Literal paths (`/chats/public`, `/chats/join`) before `/chats/:id`: the service mounts them in this order.
export const chatRoutes = {
  create: defineRoute({
    ...chat,
    method: 'post',
    path: '/chats',
    summary: 'Create a chat (a direct chat that exists is returned with 200)',
    description:
      "`{ type, memberIds?, name?, description?, avatarMediaId?, isPublic?, membersCanAdd? }` → 201 chat (200: the existing direct chat). Direct: `memberIds` is exactly the other user; 403 `blocked` when either blocked the other. Group/channel: the creator is owner, `memberIds` (≤ 500) members, each checked like an add; `avatarMediaId` must be the caller's own image. 404 unknown, deleted or other app's user (`errors[].path` names it); 403 privacy, block, or a picture that is not the caller's; 400 a picture that is not an image; 422 over the member limit.",
    body: CreateChatBody,
    status: 201,
    response: Chat,
    errors: [403, 404, 422],
  }),
  list: defineRoute({
    ...chat,
    method: 'get',
    path: '/chats',
    summary: "The caller's chats, most recent activity first",
    description: '`?cursor=&limit=&archived=` → `{ data: [chat], page }`, most recent activity first; archived chats only with `archived=true`.',
    query: ListChatsQuery,
    status: 200,
    response: pageOf(Chat),
  }),
  listPublic: defineRoute({
    ...chat,
    method: 'get',
    path: '/chats/public',
    summary: 'Discover public groups and channels by name',
    description:
      '`?q=&cursor=&limit=` → `{ data: [{ id, type, name, description, avatarMediaId, memberCount, isMember, createdAt }], page }`, newest first; `q` matches part of the name, case-insensitively.',
    query: PublicChatsQuery,
    status: 200,
    response: pageOf(PublicChat),
  }),
  joinByCode: defineRoute({
    ...chat,
    method: 'post',
    path: '/chats/join',
    summary: 'Join a chat through an invite code',
    description: "`{ code }` → chat; 404 for an unknown, other app's, revoked, expired or used-up code alike; 403 `banned`; 422 full.",
    body: JoinByCodeBody,
    status: 200,
    response: Chat,
    errors: [403, 404, 422],
  }),
  get: defineRoute({
    ...chat,
    method: 'get',
    path: '/chats/:id',
    summary: 'A chat the caller belongs to',
    description: 'The chat as the caller sees it; 404 for anyone who is not a member, as for a chat that does not exist.',
    params: IdParams,
    status: 200,
    response: Chat,
    errors: [404],
  }),
  update: defineRoute({
    ...chat,
    method: 'patch',
    path: '/chats/:id',
    summary: 'Change name, description, avatar or visibility (owner/admin)',
    description:
      '`{ name?, description?, avatarMediaId?, isPublic?, membersCanAdd? }` → chat; `""`/`null` clears description and avatar; a new `avatarMediaId` must be the caller\'s own image (403; 400 when not an image).',
    params: IdParams,
    body: UpdateChatBody,
    status: 200,
    response: Chat,
    errors: [403, 404],
  }),
  delete: defineRoute({
    ...chat,
    method: 'delete',
    path: '/chats/:id',
    summary: 'Delete the chat (owner)',
    description: 'Members, bans and links go; the id never resolves again.',
    params: IdParams,
    status: 204,
    errors: [403, 404],
  }),
  listMembers: defineRoute({
    ...chat,
    method: 'get',
    path: '/chats/:id/members',
    summary: 'Members of the chat',
    description: '`?cursor=&limit=` → `{ data: [{ userId, role, joinedAt }], page }` in user-id order.',
    params: IdParams,
    query: PageQuery,
    status: 200,
    response: pageOf(Member),
    errors: [403, 404],
  }),
  addMembers: defineRoute({
    ...chat,
    method: 'post',
    path: '/chats/:id/members',
    summary: 'Add members (privacy and blocks of each are respected)',
    description:
      "`{ userIds (≤ 500), role? }` → `{ members }` (each listed user's membership; members already in are left as they are). All or nothing: 404 unknown user; 403 privacy, block or ban (each named in `errors`); 422 over the limit. Only owner and admins add, unless the group lets members add.",
    params: IdParams,
    body: AddMembersBody,
    status: 201,
    response: AddedMembers,
    errors: [403, 404, 422],
  }),
  changeRole: defineRoute({
    ...chat,
    method: 'patch',
    path: '/chats/:id/members/:userId',
    summary: "Change a member's role (`owner` hands ownership over)",
    description: '`{ role }` → member; `owner` hands ownership over (the old owner becomes admin).',
    params: MemberParams,
    body: ChangeRoleBody,
    status: 200,
    response: Member,
    errors: [403, 404],
  }),
  removeMember: defineRoute({
    ...chat,
    method: 'delete',
    path: '/chats/:id/members/:userId',
    summary: 'Remove a member (yourself: leave)',
    description: 'Removing yourself is leaving.',
    params: MemberParams,
    status: 204,
    errors: [403, 404],
  }),
  leave: defineRoute({
    ...chat,
    method: 'post',
    path: '/chats/:id/leave',
    summary: 'Leave the chat (an owner hands ownership to the oldest admin, else the oldest member)',
    params: IdParams,
    status: 204,
    errors: [403, 404],
  }),
  createInvite: defineRoute({
    ...chat,
    method: 'post',
    path: '/chats/:id/invite-links',
    summary: 'Create an invite link',
    description: '`{ expiresAt?, maxUses? }` → `{ code, chatId, createdBy, createdAt, expiresAt, maxUses, uses }`',
    params: IdParams,
    body: CreateInviteBody,
    status: 201,
    response: InviteLink,
    errors: [403, 404],
  }),
  revokeInvite: defineRoute({
    ...chat,
    method: 'delete',
    path: '/chats/:id/invite-links/:code',
    summary: 'Revoke an invite link',
    description: '404 for an unknown or already revoked code.',
    params: InviteParams,
    status: 204,
    errors: [403, 404],
  }),
  joinPublic: defineRoute({
    ...chat,
    method: 'post',
    path: '/chats/:id/join',
    summary: 'Join a public group or channel',
    description: 'Joins a public group or channel → chat; 404 private or direct; 403 `banned`; 422 full.',
    params: IdParams,
    status: 200,
    response: Chat,
    errors: [403, 404, 422],
  }),
  settings: defineRoute({
    ...chat,
    method: 'put',
    path: '/chats/:id/settings',
    summary: 'Per-user settings: mute until, pin, archive',
    description:
      "`{ mutedUntil?: time|null, pinned?, archived? }` → `{ chatId, muted, mutedUntil, pinned, archived }`; the caller's other devices get `chat.settings`.",
    params: IdParams,
    body: UpdateChatSettingsBody,
    status: 200,
    response: ChatSettings,
    errors: [404],
  }),
  ban: defineRoute({
    ...chat,
    method: 'post',
    path: '/chats/:id/bans',
    summary: 'Ban a user (timed, with reason; shadow: stays, seen only by self)',
    description:
      '`{ userId, reason?, expiresAt?, shadow? }` → 201 ban (200 when it replaced an active one). A shadow-banned member stays in, and their messages reach only themselves.',
    params: IdParams,
    body: BanBody,
    status: 201,
    response: Ban,
    errors: [403, 404],
  }),
  unban: defineRoute({
    ...chat,
    method: 'delete',
    path: '/chats/:id/bans/:userId',
    summary: 'Lift a ban',
    description: '404 when there is no active ban.',
    params: MemberParams,
    status: 204,
    errors: [403, 404],
  }),
  moderate: defineRoute({
    ...chat,
    method: 'patch',
    path: '/chats/:id/moderation',
    summary: 'Freeze/unfreeze, slow mode (owner/admin)',
    description:
      '`{ frozen?, slowModeSeconds? (0–86400, 0 off) }` → chat. A frozen chat refuses sends with 403 `chat_frozen`; slow mode refuses a second send within the window with 429 `slow_mode` (admins exempt).',
    params: IdParams,
    body: ModerationBody,
    status: 200,
    response: Chat,
    errors: [403, 404],
  }),
  truncate: defineRoute({
    ...chat,
    method: 'post',
    path: '/chats/:id/truncate',
    summary: 'Hide all history up to now for everyone (owner/admin)',
    description: '→ chat with `truncatedAt`: history before it is hidden for everyone.',
    params: IdParams,
    status: 200,
    response: Chat,
    errors: [403, 404],
  }),
};

/** The chat's shared state as events carry it (no per-member fields). */
export const ChatInfo = z.object({
  id: Uuid,
  type: ChatType,
  name: z.string().nullable(),
  description: z.string().nullable(),
  avatarMediaId: Uuid.nullable(),
  isPublic: z.boolean(),
  membersCanAdd: z.boolean(),
  frozen: z.boolean(),
  slowModeSeconds: z.number().int(),
  createdBy: Uuid,
  createdAt: Timestamp,
});
export type ChatInfo = z.infer<typeof ChatInfo>;

const memberRef = { chatId: Uuid, userId: Uuid };
/** How a member came in. */
export const JoinedVia = z.enum(['added', 'invite', 'public']);

export const chatEvents = {
  chatCreated: defineEvent(
    'chat.chat.created',
    z.object({ chat: ChatInfo, members: z.array(z.object({ userId: Uuid, role: ChatRole })) }),
    'The initial members (owner included) come with it; no `member.added` is published for them.',
  ),
  chatUpdated: defineEvent(
    'chat.chat.updated',
    z.object({ chat: ChatInfo, changed: z.array(z.string()), by: Uuid }),
    '`changed`: the fields that changed (info, or `slowModeSeconds`).',
  ),
  chatDeleted: defineEvent(
    'chat.chat.deleted',
    z.object({ chatId: Uuid, by: Uuid, memberIds: z.array(Uuid) }),
    '`memberIds`: who belonged to it when it was deleted.',
  ),
  chatFrozen: defineEvent('chat.chat.frozen', z.object({ chatId: Uuid, by: Uuid }), 'Sends are refused with `chat_frozen` until `chat.chat.unfrozen`.'),
  chatUnfrozen: defineEvent('chat.chat.unfrozen', z.object({ chatId: Uuid, by: Uuid })),
  chatTruncated: defineEvent(
    'chat.chat.truncated',
    z.object({ chatId: Uuid, truncatedAt: Timestamp, by: Uuid }),
    'History before `truncatedAt` is hidden for everyone.',
  ),
  memberAdded: defineEvent('chat.member.added', z.object({ ...memberRef, role: ChatRole, via: JoinedVia, by: Uuid }), '`via`: how the member came in.'),
  memberRemoved: defineEvent('chat.member.removed', z.object({ ...memberRef, reason: z.enum(['removed', 'banned']), by: Uuid })),
  memberLeft: defineEvent(
    'chat.member.left',
    z.object({ ...memberRef, reason: z.enum(['left', 'account_deleted']), newOwnerId: Uuid.nullable() }),
    '`newOwnerId`: who took over when the owner left (a `member.role_changed` is published too).',
  ),
  memberRoleChanged: defineEvent(
    'chat.member.role_changed',
    z.object({ ...memberRef, role: ChatRole, previousRole: ChatRole, by: Uuid.nullable() }),
    '`by` is null when ownership passed on because the owner left.',
  ),
  memberBanned: defineEvent(
    'chat.member.banned',
    z.object({ ...memberRef, reason: z.string().nullable(), expiresAt: Timestamp.nullable(), shadow: z.boolean(), by: Uuid }),
    'Shadow bans are for the services only: never shown to the banned user.',
  ),
  memberUnbanned: defineEvent('chat.member.unbanned', z.object({ ...memberRef, by: Uuid })),
  settingsChanged: defineEvent(
    'chat.settings.changed',
    z.object({ ...memberRef, mutedUntil: Timestamp.nullable(), pinned: z.boolean(), archived: z.boolean() }),
    "A user's own settings of a chat (realtime: the `chat.settings` event to the user's other devices).",
  ),
};

/** Why an action is refused: the REST `code` the asking service answers with. */
export const ChatDenial = z.enum(['not_found', 'forbidden', 'banned', 'chat_frozen']);
export type ChatDenial = z.infer<typeof ChatDenial>;

export const ChatAuthorization = z.object({
  allowed: z.boolean(),
  denial: ChatDenial.nullable(),
  chatType: ChatType.nullable(),
  role: ChatRole.nullable(),
  banned: z.boolean(),
  /** The user's messages reach only the user. */
  shadowBanned: z.boolean(),
  frozen: z.boolean(),
  /** At most one post per this many seconds (0: off); the message service keeps the clock. */
  slowModeSeconds: z.number().int(),
  slowModeExempt: z.boolean(),
  /** History before this time is hidden for everyone. */
  truncatedAt: Timestamp.nullable(),
  /** Direct chats: the other member, whose blocks the message service checks. */
  peerId: Uuid.nullable(),
});
export type ChatAuthorization = z.infer<typeof ChatAuthorization>;

export const chatRpcs = {
  authorize: defineRpc(
    'rpc.chat.authorize',
    z.object({ appId: Uuid, chatId: Uuid, userId: Uuid, action: ChatAction }),
    ChatAuthorization,
    "May the user do the action in the chat? Always answers: an outsider, another app's user or an unknown chat gets `denial: not_found` and nothing about the chat. Slow mode is reported, not enforced here (the sender's clock is the message service's).",
  ),
  members: defineRpc(
    'rpc.chat.members',
    z.object({ appId: Uuid, chatId: Uuid, after: Uuid.optional(), limit: z.number().int().min(1).max(1000).optional() }),
    z.object({ members: z.array(Member), nextAfter: Uuid.nullable() }),
    "A page of a chat's members in user-id order (`limit` ≤ 1000); an unknown chat is `not_found`.",
  ),
  userChats: defineRpc(
    'rpc.chat.user-chats',
    z.object({ appId: Uuid, userId: Uuid, after: Uuid.optional(), limit: z.number().int().min(1).max(10_000).optional() }),
    z.object({ chatIds: z.array(Uuid), nextAfter: Uuid.nullable() }),
    "Ids of the chats a user belongs to, in id order, paged (`limit` ≤ 10,000), for the realtime service's subscriptions and the data export.",
  ),
};
