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

/** "contacts" always means the people in the profile owner's own contact list. */
export const PrivacySettings = z
  .object({
    lastSeen: Visibility,
    profilePhoto: Visibility,
    readReceipts: z.boolean(),
    addToGroups: GroupAddPolicy,
    discoverableByPhone: z.boolean(),
    discoverableByEmail: z.boolean(),
  })
  .openapi('PrivacySettings');
export type PrivacySettings = z.infer<typeof PrivacySettings>;

export const NotificationSettings = z
  .object({
    directMessages: z.boolean(),
    groupMessages: z.boolean(),
    mentions: z.boolean(),
    showPreview: z.boolean(),
  })
  .openapi('NotificationSettings');
export type NotificationSettings = z.infer<typeof NotificationSettings>;

export const Settings = z.object({ privacy: PrivacySettings, notifications: NotificationSettings }).openapi('Settings');
export type Settings = z.infer<typeof Settings>;

export const UpdateSettingsBody = z.strictObject({
  privacy: z.strictObject(PrivacySettings.shape).partial().optional(),
  notifications: z.strictObject(NotificationSettings.shape).partial().optional(),
});
export type UpdateSettingsBody = z.infer<typeof UpdateSettingsBody>;

/**
 * A profile as one caller sees it: `avatarMediaId` is null and `lastSeenAt` absent where the
 * owner's privacy settings hide them from that caller. A deleted account reads "Deleted user".
 */
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
  .openapi('Profile');
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
  .openapi('Contact');
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

/** A user found by one of the synced identifiers (the one that matched is named). */
export const ContactMatch = z
  .object({ userId: Uuid, phone: z.string().optional(), email: z.string().optional(), profile: Profile })
  .openapi('ContactMatch');
export type ContactMatch = z.infer<typeof ContactMatch>;

export const BlockedUser = z.object({ userId: Uuid, blockedAt: Timestamp, profile: Profile }).openapi('BlockedUser');
export type BlockedUser = z.infer<typeof BlockedUser>;

/** Everything the user service holds about the caller, as one document. */
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
  .openapi('AccountExport');
export type AccountExport = z.infer<typeof AccountExport>;

const user = { service: 'user', access: 'user' } as const;

// `/users/me…` before `/users/:id`: the service mounts them in this order.
export const userRoutes = {
  me: defineRoute({ ...user, method: 'get', path: '/users/me', summary: "The caller's own profile", status: 200, response: Profile }),
  updateMe: defineRoute({ ...user, method: 'patch', path: '/users/me', summary: 'Update display name, bio, avatar or status text', body: UpdateProfileBody, status: 200, response: Profile, errors: [403] }),
  deleteMe: defineRoute({ ...user, method: 'delete', path: '/users/me', summary: 'Delete the account (password required)', rateLimit: 'sensitive', body: DeleteAccountBody, status: 204, errors: [403] }),
  settings: defineRoute({ ...user, method: 'get', path: '/users/me/settings', summary: 'Privacy and notification settings', status: 200, response: Settings }),
  updateSettings: defineRoute({ ...user, method: 'patch', path: '/users/me/settings', summary: 'Change some settings', body: UpdateSettingsBody, status: 200, response: Settings }),
  listContacts: defineRoute({ ...user, method: 'get', path: '/users/me/contacts', summary: "The caller's contacts", query: PageQuery, status: 200, response: pageOf(Contact) }),
  addContact: defineRoute({ ...user, method: 'post', path: '/users/me/contacts', summary: 'Add (or rename) a contact', body: AddContactBody, status: 201, response: Contact, errors: [403, 404] }),
  syncContacts: defineRoute({ ...user, method: 'post', path: '/users/me/contacts/sync', summary: 'Find users by phone numbers and emails (only those who allow it)', rateLimit: 'contactSync', body: ContactSyncBody, status: 200, response: pageOf(ContactMatch) }),
  removeContact: defineRoute({ ...user, method: 'delete', path: '/users/me/contacts/:userId', summary: 'Remove a contact', params: UserIdParams, status: 204, errors: [404] }),
  listBlocked: defineRoute({ ...user, method: 'get', path: '/users/me/blocked', summary: 'Users the caller blocked', query: PageQuery, status: 200, response: pageOf(BlockedUser) }),
  block: defineRoute({ ...user, method: 'post', path: '/users/me/blocked', summary: 'Block a user', body: UserIdBody, status: 201, response: BlockedUser, errors: [404] }),
  unblock: defineRoute({ ...user, method: 'delete', path: '/users/me/blocked/:userId', summary: 'Unblock a user', params: UserIdParams, status: 204, errors: [404] }),
  export: defineRoute({ ...user, method: 'get', path: '/users/me/export', summary: "Export the caller's data as one JSON document", status: 200, response: AccountExport }),
  get: defineRoute({ ...user, method: 'get', path: '/users/:id', summary: 'A profile as the caller may see it', params: z.strictObject({ id: Uuid }), status: 200, response: Profile, errors: [404] }),
};

export const userEvents = {
  /** Each service removes or anonymises its own data of the account. */
  accountDeleted: defineEvent('user.account.deleted', z.object({ userId: Uuid })),
  /** `userId` blocked `blockedUserId` (not repeated for an existing block): live views between the two end (realtime ends presence watches). */
  blockAdded: defineEvent('user.block.added', z.object({ userId: Uuid, blockedUserId: Uuid })),
  /** The public part of a profile changed (consumers apply privacy themselves). */
  profileUpdated: defineEvent(
    'user.profile.updated',
    z.object({ userId: Uuid, username: z.string().nullable(), displayName: z.string(), avatarMediaId: Uuid.nullable(), statusText: z.string().nullable() }),
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
  /** Privacy settings of many users at once; with `viewerId`, what that viewer may see. Unknown users are left out. */
  privacy: defineRpc(
    'rpc.user.privacy',
    z.object({ appId: Uuid, userIds: z.array(Uuid).min(1).max(CONTACT_SYNC_MAX), viewerId: Uuid.optional() }),
    z.object({ users: z.array(UserPrivacy) }),
  ),
  /** For each pair (in the order asked), whether one blocked the other. */
  blockStatus: defineRpc(
    'rpc.user.block-status',
    z.object({ appId: Uuid, pairs: z.array(BlockPair).min(1).max(CONTACT_SYNC_MAX) }),
    z.object({ pairs: z.array(BlockPairStatus) }),
  ),
};
