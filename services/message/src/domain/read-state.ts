import { type PrivacySettings, userRpcs } from '@chat/contracts';
import { callRpc } from '@chat/service-kit';
import type { MessageDeps } from '../deps.js';
import { findHead } from '../store/log.store.js';
import { advanceMarker, listMarkers, unreadCounts } from '../store/members.store.js';
import type { Caller } from './caller.js';
import { txThenPublish } from './live.js';
import { readableMessage } from './message-access.js';

/** Users whose read receipts are on (unknown users count as off). */
async function withReceiptsOn(deps: MessageDeps, appId: string, userIds: string[]): Promise<Set<string>> {
  const on = new Set<string>();
  for (let i = 0; i < userIds.length; i += 500) {
    const { users } = await callRpc(deps.platform.bus, userRpcs.privacy, { appId, userIds: userIds.slice(i, i + 500) }, deps.config.RPC_TIMEOUT_MS);
    for (const u of users) if (receiptsOn(u.privacy) && !u.deleted) on.add(u.userId);
  }
  return on;
}
const receiptsOn = (p: PrivacySettings) => p.readReceipts;

/**
 * Moves the caller's read or delivered marker forward (clamped to the chat's head; never back).
 * The caller's devices learn it on their user subject; the other members on the chat subject,
 * unless the caller turned read receipts off.
 */
export async function markChat(deps: MessageDeps, caller: Caller, chatId: string, kind: 'read' | 'delivered', seq: number): Promise<void> {
  await deps.access.require(caller.appId, chatId, caller.userId, 'read');
  const head = await findHead(deps.platform.db, chatId);
  const target = Math.min(seq, head?.lastSeq ?? 0);
  if (target <= 0) return;
  const shareWithMembers = (await withReceiptsOn(deps, caller.appId, [caller.userId])).has(caller.userId);
  await txThenPublish(deps.platform, async (t, live) => {
    const moved = await advanceMarker(t, { chatId, appId: caller.appId, userId: caller.userId, kind, seq: target, at: new Date() });
    if (moved === null) return;
    const frame = { op: 'event' as const, t: `${kind}.updated`, chatId, d: { chatId, userId: caller.userId, seq: moved } };
    if (shareWithMembers) live.toChat(chatId, frame);
    else live.toUser(caller.userId, frame);
    if (kind === 'read') {
      const [counts] = await unreadCounts(t, { userId: caller.userId, chatIds: [chatId], countSilent: deps.config.UNREAD_COUNTS_SILENT });
      live.toUser(caller.userId, {
        op: 'event',
        t: 'unread.updated',
        chatId,
        d: { chatId, unreadCount: counts?.unreadCount ?? 0, mentionCount: counts?.mentionCount ?? 0 },
      });
    }
  });
}

/** Who read and who received the message, from the members' markers; readers who hide receipts are left out. */
export async function getReceipts(deps: MessageDeps, caller: Caller, messageId: string) {
  const { message } = await readableMessage(deps, caller, messageId);
  const markers = (await listMarkers(deps.platform.db, message.chatId, message.seq)).filter((m) => m.userId !== message.senderId);
  const readers = markers.filter((m) => m.readSeq >= message.seq);
  const visible =
    readers.length > 0 ? await withReceiptsOn(deps, caller.appId, [...new Set([caller.userId, ...readers.map((r) => r.userId)])]) : new Set<string>();
  // Whoever hides their own receipts sees nobody else's either.
  const readBy = visible.has(caller.userId) ? readers.filter((r) => visible.has(r.userId)) : [];
  return {
    readBy: readBy.map((r) => ({ userId: r.userId, at: (r.readAt ?? new Date(0)).toISOString() })),
    deliveredTo: markers.map((m) => ({ userId: m.userId, at: (m.deliveredAt ?? new Date(0)).toISOString() })),
  };
}

export async function getUnread(deps: MessageDeps, caller: Caller) {
  const chats = await unreadCounts(deps.platform.db, { userId: caller.userId, chatIds: null, countSilent: deps.config.UNREAD_COUNTS_SILENT });
  const nonZero = chats.filter((c) => c.unreadCount > 0 || c.mentionCount > 0);
  return { total: nonZero.reduce((sum, c) => sum + c.unreadCount, 0), chats: nonZero };
}
