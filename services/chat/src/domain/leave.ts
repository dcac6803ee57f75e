import { type AccessClaims, chatEvents } from '@chat/contracts';
import { type Executor, ForbiddenError, recordEvent } from '@chat/service-kit';
import type { ChatDeps } from '../deps.js';
import { type ChatRow, addToMemberCount, lockChat } from '../store/chats.store.js';
import { type MemberRow, chatIdsOfUser, deleteMember, findMember, findSuccessor, setRole } from '../store/members.store.js';
import { lockChatAsMember } from './access.js';

/**
 * Hands ownership to the oldest admin, else the oldest member; null when nobody is left (the
 * chat then has no members, keeps its row and history rules, and can no longer be joined).
 * Call inside the chat's row lock, after the owner's membership is gone.
 */
async function doHandOver(t: Executor, chat: ChatRow): Promise<string | null> {
  const successor = await findSuccessor(t, chat.id);
  if (!successor) return null;
  await setRole(t, chat.id, successor.userId, 'owner');
  await recordEvent(t, chatEvents.memberRoleChanged, chat.appId, {
    chatId: chat.id,
    userId: successor.userId,
    role: 'owner',
    previousRole: successor.role,
    by: null,
  });
  return successor.userId;
}

/** The member leaves; an owner hands ownership over. Call inside the chat's row lock. */
export async function doLeave(t: Executor, chat: ChatRow, member: MemberRow, reason: 'left' | 'account_deleted'): Promise<void> {
  await deleteMember(t, chat.id, member.userId);
  await addToMemberCount(t, chat.id, -1);
  const newOwnerId = member.role === 'owner' ? await doHandOver(t, chat) : null;
  await recordEvent(t, chatEvents.memberLeft, chat.appId, { chatId: chat.id, userId: member.userId, reason, newOwnerId });
}

/** Leaves a group or channel (a direct chat stays: archive it instead). */
export async function leaveChat(deps: ChatDeps, caller: AccessClaims, chatId: string): Promise<void> {
  await deps.platform.tx(async (t) => {
    const { chat, member } = await lockChatAsMember(t, caller, chatId);
    if (chat.type === 'direct') throw new ForbiddenError('a direct chat cannot be left; archive it instead');
    await doLeave(t, chat, member, 'left');
  });
}

const ACCOUNT_BATCH = 500;

/**
 * A deleted account leaves every chat it was in, direct chats included, each in its own
 * transaction under that chat's lock (ownership handed over as on leave). Idempotent: a chat
 * already left is skipped.
 */
export async function removeAccountFromChats(deps: ChatDeps, appId: string, userId: string): Promise<void> {
  let after: string | null = null;
  for (;;) {
    const chatIds: string[] = await chatIdsOfUser(deps.platform.db, appId, userId, after, ACCOUNT_BATCH);
    for (const chatId of chatIds) {
      await deps.platform.tx(async (t) => {
        const chat = await lockChat(t, appId, chatId);
        const member = chat && (await findMember(t, chat.id, userId));
        if (chat && member) await doLeave(t, chat, member, 'account_deleted');
      });
    }
    if (chatIds.length < ACCOUNT_BATCH) return;
    after = chatIds[chatIds.length - 1]!;
  }
}
