import type { ChatAction, ChatRole, ChatType } from '@chat/contracts';

const ALL: readonly ChatRole[] = ['owner', 'admin', 'moderator', 'member'];
const STAFF: readonly ChatRole[] = ['owner', 'admin', 'moderator'];
const ADMINS: readonly ChatRole[] = ['owner', 'admin'];
const OWNER: readonly ChatRole[] = ['owner'];
const NOBODY: readonly ChatRole[] = [];

/**
 * The one permission table: which roles may do what, per chat type. Direct chats have two plain
 * members and nothing to administer. A group with `membersCanAdd` lets every member add members
 * (see `may`). REST routes, and other services through rpc.chat.authorize, all decide from here.
 */
export const PERMISSIONS: Record<ChatAction, Record<ChatType, readonly ChatRole[]>> = {
  read: { direct: ALL, group: ALL, channel: ALL },
  post: { direct: ALL, group: ALL, channel: ADMINS },
  pin: { direct: ALL, group: STAFF, channel: ADMINS },
  delete_others_messages: { direct: NOBODY, group: STAFF, channel: ADMINS },
  view_members: { direct: ALL, group: ALL, channel: STAFF },
  add_members: { direct: NOBODY, group: ADMINS, channel: ADMINS },
  remove_members: { direct: NOBODY, group: STAFF, channel: STAFF },
  change_roles: { direct: NOBODY, group: ADMINS, channel: ADMINS },
  edit_info: { direct: NOBODY, group: ADMINS, channel: ADMINS },
  manage_invites: { direct: NOBODY, group: ADMINS, channel: ADMINS },
  ban_members: { direct: NOBODY, group: STAFF, channel: STAFF },
  moderate_chat: { direct: NOBODY, group: ADMINS, channel: ADMINS },
  delete_chat: { direct: NOBODY, group: OWNER, channel: OWNER },
};

/** Roles exempt from slow mode. */
export const SLOW_MODE_EXEMPT: readonly ChatRole[] = ADMINS;

export function may(role: ChatRole, action: ChatAction, chat: { type: ChatType; membersCanAdd: boolean }): boolean {
  if (action === 'add_members' && chat.type === 'group' && chat.membersCanAdd) return true;
  return PERMISSIONS[action][chat.type].includes(role);
}

const RANK: Record<ChatRole, number> = { owner: 3, admin: 2, moderator: 1, member: 0 };

/** Removing, banning or changing the role of someone needs a higher rank than theirs. */
export function outranks(actor: ChatRole, target: ChatRole): boolean {
  return RANK[actor] > RANK[target];
}

/**
 * Whether `actor` may give someone holding `from` (null: not a member yet) the role `to`. Above
 * plain member, one may only grant roles below one's own; only the owner makes someone owner,
 * which hands ownership over.
 */
export function mayAssign(actor: ChatRole, from: ChatRole | null, to: ChatRole): boolean {
  if (from !== null && !outranks(actor, from)) return false;
  if (to === 'owner') return actor === 'owner' && from !== null;
  return to === 'member' || outranks(actor, to);
}
