import { type AccessClaims, type Ban, type BanBody, chatEvents } from '@chat/contracts';
import { ForbiddenError, NotFoundError, recordEvent } from '@chat/service-kit';
import type { ChatDeps } from '../deps.js';
import { deleteActiveBan, upsertBan } from '../store/bans.store.js';
import { findMember } from '../store/members.store.js';
import { accessChatFor, lockChatFor } from './access.js';
import { futureTime } from './invites.js';
import { doRemove } from './members.js';
import { outranks } from './permissions.js';
import { getStandings } from './users.js';
import { toBan } from './views.js';

/**
 * Bans a user of the app, member or not, below the caller's rank. A ban takes the member out at
 * once and keeps them out (no join, invite or add) until it expires or is lifted; a shadow ban
 * keeps them in, their messages seen only by themselves. Banning again replaces the ban (200).
 */
export async function banUser(deps: ChatDeps, caller: AccessClaims, chatId: string, body: BanBody): Promise<{ ban: Ban; created: boolean }> {
  if (body.userId === caller.sub) throw new ForbiddenError('you cannot ban yourself');
  const expiresAt = futureTime(body.expiresAt, 'expiresAt');
  const { db } = deps.platform;
  const ctx = await accessChatFor(db, caller, chatId, 'ban_members');
  if (!(await findMember(db, ctx.chat.id, body.userId))) await getStandings(deps, caller, [body.userId], () => 'userId');
  return deps.platform.tx(async (t) => {
    const locked = await lockChatFor(t, caller, chatId, 'ban_members');
    const target = await findMember(t, locked.chat.id, body.userId);
    if (target && !outranks(locked.member.role, target.role)) throw new ForbiddenError('you may only ban members below your role');
    const shadow = body.shadow ?? false;
    const { ban, created } = await upsertBan(t, {
      appId: caller.app,
      chatId: locked.chat.id,
      userId: body.userId,
      reason: body.reason ?? null,
      shadow,
      expiresAt,
      bannedBy: caller.sub,
    });
    if (target && !shadow) await doRemove(t, locked, target, 'banned', caller.sub);
    const view = toBan(ban);
    await recordEvent(t, chatEvents.memberBanned, caller.app, {
      chatId: view.chatId,
      userId: view.userId,
      reason: view.reason,
      expiresAt: view.expiresAt,
      shadow,
      by: caller.sub,
    });
    return { ban: view, created };
  });
}

export async function unbanUser(deps: ChatDeps, caller: AccessClaims, chatId: string, userId: string): Promise<void> {
  await deps.platform.tx(async (t) => {
    const { chat } = await lockChatFor(t, caller, chatId, 'ban_members');
    if (!(await deleteActiveBan(t, chat.id, userId))) throw new NotFoundError('ban not found');
    await recordEvent(t, chatEvents.memberUnbanned, caller.app, { chatId: chat.id, userId, by: caller.sub });
  });
}
