import { type ChatAction, type ChatAuthorization, type ChatDenial, type TypingUser, chatRpcs, liveSubjects, userRpcs } from '@chat/contracts';
import { type AppError, ForbiddenError, NotFoundError, callRpc, publishLive } from '@chat/service-kit';
import type { PresenceDeps } from '../deps.js';
import type { TypingRef } from '../store/typing.store.js';

const DENIALS: Record<ChatDenial, () => AppError> = {
  not_found: () => new NotFoundError('chat not found'),
  forbidden: () => new ForbiddenError('not allowed to post in this chat'),
  banned: () => new ForbiddenError('banned from this chat', 'banned'),
  chat_frozen: () => new ForbiddenError('the chat is frozen', 'chat_frozen'),
};

/** The chat service's answer, or the error it stands for (the same code a send would get). */
async function accessChat(deps: PresenceDeps, appId: string, chatId: string, userId: string, action: ChatAction): Promise<ChatAuthorization> {
  const answer = await callRpc(deps.platform.bus, chatRpcs.authorize, { appId, chatId, userId, action }, deps.config.RPC_TIMEOUT_MS);
  if (!answer.allowed) throw DENIALS[answer.denial ?? 'forbidden']();
  return answer;
}

/** In a direct chat a block either way stops typing as it stops messages. */
async function checkNotBlocked(deps: PresenceDeps, appId: string, userId: string, peerId: string): Promise<void> {
  const { pairs } = await callRpc(deps.platform.bus, userRpcs.blockStatus, { appId, pairs: [{ a: userId, b: peerId }] }, deps.config.RPC_TIMEOUT_MS);
  if (pairs[0]?.blocked) throw new ForbiddenError('blocked', 'blocked');
}

function publishTyping(deps: PresenceDeps, ref: TypingRef, typing: boolean): void {
  publishLive(deps.platform.bus, liveSubjects.chat(ref.chatId), { op: 'event', t: 'typing', chatId: ref.chatId, d: { userId: ref.userId, typing } });
}

/**
 * Starts, renews or stops a member's typing. Starts and renewals go out at most once per interval
 * (a renewal still extends the expiry); a stop goes out when the user was typing. A shadow-banned
 * member's typing reaches no one.
 */
export async function doTyping(deps: PresenceDeps, ref: TypingRef, typing: boolean): Promise<void> {
  const access = await accessChat(deps, ref.appId, ref.chatId, ref.userId, 'post');
  if (access.shadowBanned) return;
  if (!typing) {
    if (await deps.typing.stop(ref)) publishTyping(deps, ref, false);
    return;
  }
  if (access.chatType === 'direct' && access.peerId) await checkNotBlocked(deps, ref.appId, ref.userId, access.peerId);
  if (await deps.typing.start(ref)) publishTyping(deps, ref, true);
}

/** Stops typing that expired; each expiry is published once, whichever replica claims it. */
export async function expireTyping(deps: PresenceDeps, limit: number): Promise<number> {
  const expired = await deps.typing.claimExpired(limit);
  await Promise.all(
    expired.map(async (ref) => {
      if (await deps.typing.expire(ref)) publishTyping(deps, ref, false);
    }),
  );
  return expired.length;
}

/** Members typing in the chat now; the caller must be able to read it. */
export async function listTyping(deps: PresenceDeps, appId: string, callerId: string, chatId: string): Promise<TypingUser[]> {
  await accessChat(deps, appId, chatId, callerId, 'read');
  const typing = await deps.typing.list(appId, chatId);
  return typing.map((t) => ({ userId: t.userId, since: t.since.toISOString() }));
}
