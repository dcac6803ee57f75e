import type { LogEventType } from '@chat/contracts';
import type { Executor } from '@chat/service-kit';
import type { MessageDeps } from '../deps.js';
import { type ChatHead, hasSourceEvent, lockHead, markChatDeleted, setTruncatedBefore } from '../store/log.store.js';
import { deleteAllMembers, deleteMember, upsertMembers } from '../store/members.store.js';
import { txThenPublish } from './live.js';
import { appendToLog } from './log.js';

/** A chat-service event as it enters the log: its id makes a redelivery a no-op. */
export interface ChatChange {
  sourceId: string;
  appId: string;
  chatId: string;
  occurredAt: string;
  /** The log entry to append, if the change is one clients see in the chat's log. */
  entry?: { type: LogEventType; actorId: string | null; data: Record<string, unknown> };
  /** The projection's own bookkeeping, in the same transaction. */
  apply?: (t: Executor, head: ChatHead) => Promise<void>;
}

/** Applies a chat-service event to the chat's log and member list, once. */
export async function applyChatChange(deps: MessageDeps, change: ChatChange): Promise<void> {
  deps.access.forgetChat(change.chatId);
  await txThenPublish(deps.platform, async (t, live) => {
    const head = await lockHead(t, change.chatId, change.appId);
    if (await hasSourceEvent(t, change.chatId, change.sourceId)) return;
    await change.apply?.(t, head);
    const entry = change.entry ?? { type: null, actorId: null, data: {} };
    if (entry.type) {
      await appendToLog(
        t,
        head,
        [{ type: entry.type, actorId: entry.actorId, sourceId: change.sourceId, data: entry.data, createdAt: new Date(change.occurredAt) }],
        live,
      );
    }
  });
}

export const addMembers = (chatId: string, appId: string, userIds: string[]) => (t: Executor) => upsertMembers(t, chatId, appId, userIds);
export const removeMember = (chatId: string, userId: string) => (t: Executor) => deleteMember(t, chatId, userId);
export const removeChat = (chatId: string) => async (t: Executor) => {
  await deleteAllMembers(t, chatId);
  await markChatDeleted(t, chatId);
};
export const truncate = (chatId: string, truncatedAt: string) => async (t: Executor) => {
  await setTruncatedBefore(t, chatId, new Date(truncatedAt));
};
