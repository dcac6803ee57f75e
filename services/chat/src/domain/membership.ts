import { type ChatRole, type ChatType, type JoinedVia, chatEvents, type z } from '@chat/contracts';
import { AppError, type Executor, ForbiddenError, recordEvent } from '@chat/service-kit';
import type { ChatConfig } from '../config.js';
import { bannedAmong } from '../store/bans.store.js';
import { type ChatRow, addToMemberCount } from '../store/chats.store.js';
import { type MemberRow, insertMembers, memberIdsAmong } from '../store/members.store.js';
import type { PathOf } from './users.js';

/** Most members a chat of this type may have. */
export function memberLimit(config: ChatConfig, type: ChatType): number {
  return type === 'channel' ? config.CHAT_MAX_CHANNEL_MEMBERS : config.CHAT_MAX_MEMBERS;
}

export function checkMemberLimit(config: ChatConfig, type: ChatType, count: number): void {
  const limit = memberLimit(config, type);
  if (count > limit) throw new AppError(422, 'validation_failed', `a ${type} may have at most ${limit} members`);
}

export interface AddContext {
  config: ChatConfig;
  by: string;
  via: z.infer<typeof JoinedVia>;
  /** For adds by someone else: where each id sits in the request, to name the banned ones. */
  pathOf?: PathOf;
}

/**
 * Adds those of `userIds` who are not members yet with `role`, recording `member.added` for each.
 * Refuses users with an active ban (403 `banned` for one joining by themselves) and anything over
 * the member limit (422), all or nothing. Call inside the chat's row lock, with `chat` read under it.
 */
export async function doAddMembers(t: Executor, chat: ChatRow, userIds: string[], role: ChatRole, ctx: AddContext): Promise<MemberRow[]> {
  const banned = await bannedAmong(t, chat.id, userIds);
  if (banned.length > 0) {
    if (!ctx.pathOf) throw new ForbiddenError('you are banned from this chat', 'banned');
    const errors = banned.map((id) => ({ path: ctx.pathOf!(id), message: 'this user is banned from the chat' }));
    throw new AppError(403, 'forbidden', 'some users are banned from this chat', { errors });
  }
  const existing = new Set(await memberIdsAmong(t, chat.id, userIds));
  const fresh = userIds.filter((id) => !existing.has(id));
  if (fresh.length === 0) return [];
  checkMemberLimit(ctx.config, chat.type, chat.memberCount + fresh.length);
  const added = await insertMembers(
    t,
    chat.appId,
    chat.id,
    fresh.map((userId) => ({ userId, role })),
    ctx.by,
  );
  await addToMemberCount(t, chat.id, added.length);
  for (const m of added)
    await recordEvent(t, chatEvents.memberAdded, chat.appId, { chatId: chat.id, userId: m.userId, role: m.role, via: ctx.via, by: ctx.by });
  return added;
}
