import type { AccessClaims, Chat } from '@chat/contracts';
import { type Executor, NotFoundError } from '@chat/service-kit';
import type { ChatDeps } from '../deps.js';
import { type ChatRow, lockChat } from '../store/chats.store.js';
import { chatIdOfInvite, countInviteUse, lockUsableInvite } from '../store/invites.store.js';
import { findMember } from '../store/members.store.js';
import { chatNotFound } from './access.js';
import { viewOf } from './create-chat.js';
import { doAddMembers } from './membership.js';

/** An invite code that is unknown, of another app, revoked, expired or used up: one answer for all. */
const inviteNotFound = () => new NotFoundError('invite link not found or no longer valid');

/** Joins as a plain member; false when already one. Call inside the chat's row lock. */
async function doJoin(t: Executor, deps: ChatDeps, chat: ChatRow, caller: AccessClaims, via: 'invite' | 'public'): Promise<boolean> {
  if (await findMember(t, chat.id, caller.sub)) return false;
  const added = await doAddMembers(t, chat, [caller.sub], 'member', { config: deps.config, by: caller.sub, via });
  return added.length > 0;
}

/**
 * Joins a public group or channel (200 with the chat; a member gets the chat as it is). A
 * private chat, a direct one, and one whose members all left are 404, as for a chat that does not exist.
 */
export async function joinPublicChat(deps: ChatDeps, caller: AccessClaims, chatId: string): Promise<Chat> {
  return deps.platform.tx(async (t) => {
    const chat = await lockChat(t, caller.app, chatId);
    if (!chat) throw chatNotFound();
    if (await findMember(t, chat.id, caller.sub)) return viewOf(t, caller, chat.id);
    if (!chat.isPublic || chat.memberCount === 0) throw chatNotFound();
    await doJoin(t, deps, chat, caller, 'public');
    return viewOf(t, caller, chat.id);
  });
}

/** Joins through an invite link, counting a use only when the caller was not a member yet. */
export async function joinByCode(deps: ChatDeps, caller: AccessClaims, code: string): Promise<Chat> {
  const chatId = await chatIdOfInvite(deps.platform.db, caller.app, code);
  if (!chatId) throw inviteNotFound();
  return deps.platform.tx(async (t) => {
    const chat = await lockChat(t, caller.app, chatId);
    const invite = chat && (await lockUsableInvite(t, chat.id, code));
    if (!chat || !invite || chat.memberCount === 0) throw inviteNotFound();
    if (await doJoin(t, deps, chat, caller, 'invite')) await countInviteUse(t, code);
    return viewOf(t, caller, chat.id);
  });
}
