import { type AccessClaims, type AddMembersBody, type ChatRole, type Member, chatEvents } from '@chat/contracts';
import { type Executor, ForbiddenError, NotFoundError, recordEvent } from '@chat/service-kit';
import type { ChatDeps } from '../deps.js';
import { addToMemberCount } from '../store/chats.store.js';
import { type MemberRow, deleteMember, findMember, listMembers as selectMembers, memberIdsAmong, setRole } from '../store/members.store.js';
import { type MemberContext, accessChatFor, lockChatFor } from './access.js';
import { leaveChat } from './leave.js';
import { doAddMembers } from './membership.js';
import { DEFAULT_PAGE_SIZE, parseIdCursor, toPage } from './pages.js';
import { mayAssign, outranks } from './permissions.js';
import { checkAddable, getStandings, pathIn } from './users.js';
import { toMember } from './views.js';

export async function listMembers(deps: ChatDeps, caller: AccessClaims, chatId: string, q: { cursor?: string; limit?: number }) {
  const { db } = deps.platform;
  const { chat } = await accessChatFor(db, caller, chatId, 'view_members');
  const limit = q.limit ?? DEFAULT_PAGE_SIZE;
  const rows = await selectMembers(db, chat.id, parseIdCursor(q.cursor), limit + 1);
  return toPage(rows, limit, toMember, (row) => row.userId);
}

function checkMayGrant(ctx: MemberContext, from: ChatRole | null, role: ChatRole): void {
  if (!mayAssign(ctx.member.role, from, role)) throw new ForbiddenError(`your role in this chat may not make someone ${role}`);
}

/**
 * Adds users (201 with every listed user's membership). Permission and role are checked before
 * the user service is asked, in one batch, whether each newcomer lets the caller add them; then,
 * under the chat's lock, again, with bans and the member limit (all or nothing).
 */
export async function addMembers(deps: ChatDeps, caller: AccessClaims, chatId: string, body: AddMembersBody): Promise<{ members: Member[] }> {
  const role = body.role ?? 'member';
  const { db } = deps.platform;
  const ctx = await accessChatFor(db, caller, chatId, 'add_members');
  checkMayGrant(ctx, null, role);
  const userIds = [...new Set(body.userIds)].filter((id) => id !== caller.sub);
  const present = new Set(await memberIdsAmong(db, ctx.chat.id, userIds));
  const newcomers = userIds.filter((id) => !present.has(id));
  const pathOf = pathIn('userIds', body.userIds);
  checkAddable(await getStandings(deps, caller, newcomers, pathOf), newcomers, pathOf);
  return deps.platform.tx(async (t) => {
    const locked = await lockChatFor(t, caller, chatId, 'add_members');
    checkMayGrant(locked, null, role);
    await doAddMembers(t, locked.chat, newcomers, role, { config: deps.config, by: caller.sub, via: 'added', pathOf });
    const members = await Promise.all(userIds.map((id) => findMember(t, locked.chat.id, id)));
    return { members: members.filter((m): m is MemberRow => m !== null).map(toMember) };
  });
}

async function doSetRole(t: Executor, ctx: MemberContext, target: MemberRow, role: ChatRole, by: string | null): Promise<MemberRow> {
  const row = await setRole(t, ctx.chat.id, target.userId, role);
  await recordEvent(t, chatEvents.memberRoleChanged, ctx.chat.appId, { chatId: ctx.chat.id, userId: target.userId, role, previousRole: target.role, by });
  return row;
}

/** Owner and admins change roles of those below them; making someone owner hands ownership over (the old owner becomes admin). */
export async function changeRole(deps: ChatDeps, caller: AccessClaims, chatId: string, userId: string, role: ChatRole): Promise<Member> {
  return deps.platform.tx(async (t) => {
    const ctx = await lockChatFor(t, caller, chatId, 'change_roles');
    if (userId === caller.sub) throw new ForbiddenError('you cannot change your own role');
    const target = await findMember(t, ctx.chat.id, userId);
    if (!target) throw new NotFoundError('member not found');
    if (target.role === role) return toMember(target);
    checkMayGrant(ctx, target.role, role);
    // The old owner steps down first: a chat has one owner at any moment.
    if (role === 'owner') await doSetRole(t, ctx, ctx.member, 'admin', caller.sub);
    return toMember(await doSetRole(t, ctx, target, role, caller.sub));
  });
}

/** Removes a member of a lower rank; removing yourself is leaving. */
export async function removeMember(deps: ChatDeps, caller: AccessClaims, chatId: string, userId: string): Promise<void> {
  if (userId === caller.sub) return leaveChat(deps, caller, chatId);
  await deps.platform.tx(async (t) => {
    const ctx = await lockChatFor(t, caller, chatId, 'remove_members');
    const target = await findMember(t, ctx.chat.id, userId);
    if (!target) throw new NotFoundError('member not found');
    if (!outranks(ctx.member.role, target.role)) throw new ForbiddenError('you may only remove members below your role');
    await doRemove(t, ctx, target, 'removed', caller.sub);
  });
}

/** Takes a member out at once (removal or ban). Call inside the chat's row lock. */
export async function doRemove(t: Executor, ctx: MemberContext, target: MemberRow, reason: 'removed' | 'banned', by: string): Promise<void> {
  await deleteMember(t, ctx.chat.id, target.userId);
  await addToMemberCount(t, ctx.chat.id, -1);
  await recordEvent(t, chatEvents.memberRemoved, ctx.chat.appId, { chatId: ctx.chat.id, userId: target.userId, reason, by });
}
