import type { Ban, Chat, ChatInfo, ChatSettings, InviteLink, Member, PublicChat } from '@chat/contracts';
import type { BanRow } from '../store/bans.store.js';
import type { ChatViewRow } from '../store/chat-views.store.js';
import type { ChatRow, PublicChatRow } from '../store/chats.store.js';
import type { InviteRow } from '../store/invites.store.js';
import type { MemberRow } from '../store/members.store.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The other member of a direct chat, as seen by `viewerId`. */
export function peerOf(chat: Pick<ChatRow, 'directLow' | 'directHigh'>, viewerId: string): string | null {
  if (!chat.directLow || !chat.directHigh) return null;
  return chat.directLow === viewerId ? chat.directHigh : chat.directLow;
}

export function isMuted(mutedUntil: Date | null, now = new Date()): boolean {
  return mutedUntil !== null && mutedUntil > now;
}

/**
 * The chat as one member sees it. Message data (last message, seq, unread count) is the message
 * service's: `withHeads` fills it in; here those fields say "nothing".
 */
export function toChat(row: ChatViewRow, viewerId: string): Chat {
  return {
    ...toChatInfo(row),
    memberCount: row.memberCount,
    peerId: peerOf(row, viewerId),
    truncatedAt: iso(row.truncatedAt),
    updatedAt: row.updatedAt.toISOString(),
    lastActivityAt: row.activityAt.toISOString(),
    myRole: row.role,
    muted: isMuted(row.mutedUntil),
    mutedUntil: iso(row.mutedUntil),
    pinned: row.pinned,
    archived: row.archived,
    lastMessage: null,
    lastSeq: 0,
    unreadCount: 0,
  };
}

export function toChatInfo(row: ChatRow): ChatInfo {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    description: row.description,
    avatarMediaId: row.avatarMediaId,
    isPublic: row.isPublic,
    membersCanAdd: row.membersCanAdd,
    frozen: row.frozen,
    slowModeSeconds: row.slowModeSeconds,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
  };
}

export function toPublicChat(row: PublicChatRow): PublicChat {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    description: row.description,
    avatarMediaId: row.avatarMediaId,
    memberCount: row.memberCount,
    isMember: row.isMember,
    createdAt: row.createdAt.toISOString(),
  };
}

export function toMember(row: MemberRow): Member {
  return { userId: row.userId, role: row.role, joinedAt: row.joinedAt.toISOString() };
}

export function toChatSettings(row: MemberRow): ChatSettings {
  return { chatId: row.chatId, muted: isMuted(row.mutedUntil), mutedUntil: iso(row.mutedUntil), pinned: row.pinned, archived: row.archived };
}

export function toInviteLink(row: InviteRow): InviteLink {
  return {
    code: row.code,
    chatId: row.chatId,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    expiresAt: iso(row.expiresAt),
    maxUses: row.maxUses,
    uses: row.uses,
  };
}

export function toBan(row: BanRow): Ban {
  return {
    chatId: row.chatId,
    userId: row.userId,
    reason: row.reason,
    expiresAt: iso(row.expiresAt),
    shadow: row.shadow,
    bannedBy: row.bannedBy,
    createdAt: row.createdAt.toISOString(),
  };
}
