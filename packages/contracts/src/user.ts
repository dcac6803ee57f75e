import { DisplayName, Email, Phone } from './auth.js';
import { PageQuery, Timestamp, Uuid, pageOf } from './common.js';
import { defineEvent } from './events.js';
import { Message } from './message.js';
import { defineRoute } from './routes.js';
import { defineRpc } from './rpc.js';
import { z } from './zod.js';

/** An optional text the user may clear: an empty string is stored as null. */
const clearableText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .transform((s) => (s === '' ? null : s))
    .nullable();

export const Bio = clearableText(500);
export const StatusText = clearableText(140);
export const ContactAlias = z.string().trim().min(1).max(64);

/** Who may see a piece of profile information. */
export const Visibility = z.enum(['everyone', 'contacts', 'nobody']);
export type Visibility = z.infer<typeof Visibility>;
/** Who may add the user to groups. */
export const GroupAddPolicy = z.enum(['everyone', 'contacts']);
export type GroupAddPolicy = z.infer<typeof GroupAddPolicy>;

export const PrivacySettings = z
  .object({
    lastSeen: Visibility,
    profilePhoto: Visibility,
    readReceipts: z.boolean(),
    addToGroups: GroupAddPolicy,
    discoverableByPhone: z.boolean(),
    discoverableByEmail: z.boolean(),
  })
  .openapi('PrivacySettings')
  .describe('Who may see what of the user, add them to groups and find them; "contacts" always means the people in the profile owner\'s own contact list.');
export type PrivacySettings = z.infer<typeof PrivacySettings>;

export const NotificationSettings = z
  .object({
    directMessages: z.boolean(),
    groupMessages: z.boolean(),
    mentions: z.boolean(),
    showPreview: z.boolean(),
  })
  .openapi('NotificationSettings')
  .describe('Which messages notify the user, and whether notifications show their text.');
export type NotificationSettings = z.infer<typeof NotificationSettings>;

export const Settings = z
  .object({ privacy: PrivacySettings, notifications: NotificationSettings })
  .openapi('Settings')
  .describe("The caller's privacy and notification settings.");
export type Settings = z.infer<typeof Settings>;

export const UpdateSettingsBody = z.strictObject({
  privacy: z.strictObject(PrivacySettings.shape).partial().optional(),
  notifications: z.strictObject(NotificationSettings.shape).partial().optional(),
});
export type UpdateSettingsBody = z.infer<typeof UpdateSettingsBody>;

export const Profile = z
  .object({
    id: Uuid,
    username: z.string().nullable(),
    displayName: z.string(),
    bio: z.string().nullable(),
    avatarMediaId: Uuid.nullable(),
    statusText: z.string().nullable(),
    lastSeenAt: Timestamp.optional(),
    deleted: z.boolean(),
    createdAt: Timestamp,
  })
  .openapi('Profile')
  .describe(
    'A profile as one caller sees it: `avatarMediaId` is null and `lastSeenAt` absent where the owner\'s privacy settings hide them from that caller. A deleted account reads "Deleted user".',
  );
export type Profile = z.infer<typeof Profile>;

export const UpdateProfileBody = z.strictObject({
  displayName: DisplayName.optional(),
  bio: Bio.optional(),
  avatarMediaId: Uuid.nullable().optional(),
  statusText: StatusText.optional(),
});
export type UpdateProfileBody = z.infer<typeof UpdateProfileBody>;

/** How a deleted account is named wherever it still shows (its id keeps resolving). */
export const DELETED_DISPLAY_NAME = 'Deleted user';

export const DeleteAccountBody = z.strictObject({ password: z.string().min(1).max(1024) });

export const UserIdParams = z.strictObject({ userId: Uuid });
export const UserIdBody = z.strictObject({ userId: Uuid });

export const Contact = z
  .object({ userId: Uuid, alias: z.string().nullable(), addedAt: Timestamp, profile: Profile })
  .openapi('Contact')
  .describe("A user in the caller's contact list, with the caller's alias for them.");
export type Contact = z.infer<typeof Contact>;
export const AddContactBody = z.strictObject({ userId: Uuid, alias: ContactAlias.optional() });
export type AddContactBody = z.infer<typeof AddContactBody>;

/** Most identifiers one sync may look up (phones and emails together). */
export const CONTACT_SYNC_MAX = 500;
export const ContactSyncBody = z
  .strictObject({
    phones: z.array(Phone).max(CONTACT_SYNC_MAX).optional(),
    emails: z.array(Email).max(CONTACT_SYNC_MAX).optional(),
  })
  .refine((b) => (b.phones?.length ?? 0) + (b.emails?.length ?? 0) <= CONTACT_SYNC_MAX, `at most ${CONTACT_SYNC_MAX} phones and emails in all`);
export type ContactSyncBody = z.infer<typeof ContactSyncBody>;

export const ContactMatch = z
  .object({ userId: Uuid, phone: z.string().optional(), email: z.string().optional(), profile: Profile })
  .openapi('ContactMatch')
  .describe('A user found by one of the synced identifiers (the one that matched is named).');
export type ContactMatch = z.infer<typeof ContactMatch>;

export const BlockedUser = z
  .object({ userId: Uuid, blockedAt: Timestamp, profile: Profile })
  .openapi('BlockedUser')
  .describe('A user the caller blocked, since when.');
export type BlockedUser = z.infer<typeof BlockedUser>;

export const AccountExport = z
  .object({
    exportedAt: Timestamp,
    profile: Profile.extend({ email: z.string().nullable(), phone: z.string().nullable() }),
    settings: Settings,
    contacts: z.array(z.object({ userId: Uuid, alias: z.string().nullable(), addedAt: Timestamp })),
    blocked: z.array(z.object({ userId: Uuid, blockedAt: Timestamp })),
    /** Ids of the chats the user belongs to. */
    chats: z.array(z.object({ chatId: Uuid })),
    /** The messages the user sent and did not delete, oldest first. */
    messages: z.array(Message),
  })
  .openapi('AccountExport')
  .describe('Everything the user service holds about the caller, as one document.');
export type AccountExport = z.infer<typeof AccountExport>;

const user = { service: 'user', access: 'user' } as const;

// `/users/me…` before `/users/:id`: the service mounts them in this order.
export const userRoutes = {
  me: defineRoute({
    ...user,
    method: 'get',
    path: '/users/me',
    summary: "The caller's own profile",
    description: '`{ id, username, displayName, bio, avatarMediaId, statusText, lastSeenAt?, deleted, createdAt }`',
    status: 200,
    response: Profile,
  }),
  updateMe: defineRoute({
    ...user,
    method: 'patch',
    path: '/users/me',
    summary: 'Update display name, bio, avatar or status text',
    description:
      '`{ displayName?, bio?, avatarMediaId?, statusText? }` → profile; display name 1–64, bio ≤ 500, status ≤ 140 characters; `null` or `""` clears bio and status, `null` the avatar. A new avatar must be the caller\'s own uploaded image: 403 `forbidden` otherwise, 400 naming `avatarMediaId` when it is not an image. Publishes `user.profile.updated`.',
    body: UpdateProfileBody,
    status: 200,
    response: Profile,
    errors: [403],
  }),
  deleteMe: defineRoute({
    ...user,
    method: 'delete',
    path: '/users/me',
    summary: 'Delete the account (password required)',
    description:
      '`{ password }`; 403 on a wrong password, 429 after too many. Anonymises the profile, removes contacts and blocks, and every service removes its own data of the account; the id still resolves to "Deleted user".',
    rateLimit: 'sensitive',
    body: DeleteAccountBody,
    status: 204,
    errors: [403],
  }),
  settings: defineRoute({
    ...user,
    method: 'get',
    path: '/users/me/settings',
    summary: 'Privacy and notification settings',
    description:
      '`{ privacy: { lastSeen, profilePhoto, readReceipts, addToGroups, discoverableByPhone, discoverableByEmail }, notifications: { directMessages, groupMessages, mentions, showPreview } }`',
    status: 200,
    response: Settings,
  }),
  updateSettings: defineRoute({
    ...user,
    method: 'patch',
    path: '/users/me/settings',
    summary: 'Change some settings',
    description: 'Any subset of the settings → settings; levels `everyone|contacts|nobody` (`addToGroups`: `everyone|contacts`).',
    body: UpdateSettingsBody,
    status: 200,
    response: Settings,
  }),
  listContacts: defineRoute({
    ...user,
    method: 'get',
    path: '/users/me/contacts',
    summary: "The caller's contacts",
    description: '`?cursor=&limit=` → `{ data: [{ userId, alias, addedAt, profile }], page }`',
    query: PageQuery,
    status: 200,
    response: pageOf(Contact),
  }),
  addContact: defineRoute({
    ...user,
    method: 'post',
    path: '/users/me/contacts',
    summary: 'Add (or rename) a contact',
    description:
      "`{ userId, alias? }` → 201 contact (200 when it existed: alias updated); 404 unknown, deleted or other app's user; 403 `blocked` when that user blocked the caller.",
    body: AddContactBody,
    status: 201,
    response: Contact,
    errors: [403, 404],
  }),
  syncContacts: defineRoute({
    ...user,
    method: 'post',
    path: '/users/me/contacts/sync',
    summary: 'Find users by phone numbers and emails (only those who allow it)',
    description:
      '`{ phones?: [E.164], emails?: [] }` (≤ 500 in all) → `{ data: [{ userId, phone?, email?, profile }], page }`: users of the app who let others find them by that identifier, verified only, not blocking the caller.',
    rateLimit: 'contactSync',
    body: ContactSyncBody,
    status: 200,
    response: pageOf(ContactMatch),
  }),
  removeContact: defineRoute({
    ...user,
    method: 'delete',
    path: '/users/me/contacts/:userId',
    summary: 'Remove a contact',
    description: '404 when not a contact.',
    params: UserIdParams,
    status: 204,
    errors: [404],
  }),
  listBlocked: defineRoute({
    ...user,
    method: 'get',
    path: '/users/me/blocked',
    summary: 'Users the caller blocked',
    description: '`?cursor=&limit=` → `{ data: [{ userId, blockedAt, profile }], page }`',
    query: PageQuery,
    status: 200,
    response: pageOf(BlockedUser),
  }),
  block: defineRoute({
    ...user,
    method: 'post',
    path: '/users/me/blocked',
    summary: 'Block a user',
    description:
      "`{ userId }` → 201 (200 when already blocked); 404 unknown, deleted or other app's user. A blocked user cannot open a direct chat with, message directly, see the presence of, or add to groups the blocker.",
    body: UserIdBody,
    status: 201,
    response: BlockedUser,
    errors: [404],
  }),
  unblock: defineRoute({
    ...user,
    method: 'delete',
    path: '/users/me/blocked/:userId',
    summary: 'Unblock a user',
    description: '404 when not blocked.',
    params: UserIdParams,
    status: 204,
    errors: [404],
  }),
  export: defineRoute({
    ...user,
    method: 'get',
    path: '/users/me/export',
    summary: "Export the caller's data as one JSON document",
    description:
      '`{ exportedAt, profile (with email, phone), settings, contacts, blocked, chats: [{ chatId }], messages }` as one document: the messages the user sent and did not delete (at most 100,000).',
    status: 200,
    response: AccountExport,
  }),
  get: defineRoute({
    ...user,
    method: 'get',
    path: '/users/:id',
    summary: 'A profile as the caller may see it',
    description:
      "A profile of the caller's app as the caller may see it (privacy applied to last seen and photo); 404 for unknown ids and other apps' users alike.",
    params: z.strictObject({ id: Uuid }),
    status: 200,
    response: Profile,
    errors: [404],
  }),
};

export const userEvents = {
  accountDeleted: defineEvent('user.account.deleted', z.object({ userId: Uuid }), 'Each service removes or anonymises its own data of the account.'),
  blockAdded: defineEvent(
    'user.block.added',
    z.object({ userId: Uuid, blockedUserId: Uuid }),
    '`userId` blocked `blockedUserId` (not repeated for an existing block): live views between the two end (realtime ends presence watches at once). Unblocking publishes nothing.',
  ),
  profileUpdated: defineEvent(
    'user.profile.updated',
    z.object({ userId: Uuid, username: z.string().nullable(), displayName: z.string(), avatarMediaId: Uuid.nullable(), statusText: z.string().nullable() }),
    'The public part of a profile changed (consumers apply privacy themselves).',
  ),
};

/** What a viewer may see of, or do with, one user. */
export const ViewerAccess = z.object({
  isContact: z.boolean(),
  /** Either of the two blocked the other. */
  blocked: z.boolean(),
  canSeeLastSeen: z.boolean(),
  canSeeProfilePhoto: z.boolean(),
  canAddToGroups: z.boolean(),
});
export type ViewerAccess = z.infer<typeof ViewerAccess>;

export const UserPrivacy = z.object({ userId: Uuid, deleted: z.boolean(), privacy: PrivacySettings, viewer: ViewerAccess.optional() });
export type UserPrivacy = z.infer<typeof UserPrivacy>;

export const BlockPair = z.object({ a: Uuid, b: Uuid });
export const BlockPairStatus = BlockPair.extend({ blocked: z.boolean(), aBlockedB: z.boolean(), bBlockedA: z.boolean() });
export type BlockPairStatus = z.infer<typeof BlockPairStatus>;

export const userRpcs = {
  privacy: defineRpc(
    'rpc.user.privacy',
    z.object({ appId: Uuid, userIds: z.array(Uuid).min(1).max(CONTACT_SYNC_MAX), viewerId: Uuid.optional() }),
    z.object({ users: z.array(UserPrivacy) }),
    'Privacy settings of many users (≤ 500) in one query; with `viewerId`, what that viewer may see and do. Unknown users are left out.',
  ),
  blockStatus: defineRpc(
    'rpc.user.block-status',
    z.object({ appId: Uuid, pairs: z.array(BlockPair).min(1).max(CONTACT_SYNC_MAX) }),
    z.object({ pairs: z.array(BlockPairStatus) }),
    'For each pair (≤ 500, in the order asked), whether one blocked the other.',
  ),
};
