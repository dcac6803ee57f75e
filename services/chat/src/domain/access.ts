import type { AccessClaims, ChatAction } from '@chat/contracts';
import { type Executor, ForbiddenError, NotFoundError } from '@chat/service-kit';
import { type ChatRow, findChat, lockChat } from '../store/chats.store.js';
import { type MemberRow, findMember } from '../store/members.store.js';
import { may } from './permissions.js';

/** A chat and the caller's membership of it. */
export interface MemberContext {
  chat: ChatRow;
  member: MemberRow;
}

/** The same answer for a chat that does not exist, another app's, a deleted one, and one the caller is not in. */
export const chatNotFound = () => new NotFoundError('chat not found');

/** The chat, when the caller is a member; 404 otherwise. */
export async function accessChat(t: Executor, caller: AccessClaims, chatId: string): Promise<MemberContext> {
  const chat = await findChat(t, caller.app, chatId);
  const member = chat && (await findMember(t, chat.id, caller.sub));
  if (!chat || !member) throw chatNotFound();
  return { chat, member };
}

/** As `accessChat`, holding the chat's row lock until the transaction ends. Call inside a transaction. */
export async function lockChatAsMember(t: Executor, caller: AccessClaims, chatId: string): Promise<MemberContext> {
  const chat = await lockChat(t, caller.app, chatId);
  const member = chat && (await findMember(t, chat.id, caller.sub));
  if (!chat || !member) throw chatNotFound();
  return { chat, member };
}

/** 403 unless the member's role may do `action` in this chat (see the permission table). */
export function checkMay(ctx: MemberContext, action: ChatAction): void {
  if (!may(ctx.member.role, action, ctx.chat)) throw new ForbiddenError(`your role in this chat may not do this (${action.replace(/_/g, ' ')})`);
}

/** Accesses the chat and checks the permission in one step. */
export async function accessChatFor(t: Executor, caller: AccessClaims, chatId: string, action: ChatAction): Promise<MemberContext> {
  const ctx = await accessChat(t, caller, chatId);
  checkMay(ctx, action);
  return ctx;
}

/** Locks the chat and checks the permission in one step. Call inside a transaction. */
export async function lockChatFor(t: Executor, caller: AccessClaims, chatId: string, action: ChatAction): Promise<MemberContext> {
  const ctx = await lockChatAsMember(t, caller, chatId);
  checkMay(ctx, action);
  return ctx;
}
