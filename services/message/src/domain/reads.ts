import type { EventPage, Message } from '@chat/contracts';
import type { MessageDeps } from '../deps.js';
import { findHead, listEventsAfter } from '../store/log.store.js';
import { listHistory, listPinned, listReplies as selectReplies, listSentBy } from '../store/messages.store.js';
import { listEdits } from '../store/edits.store.js';
import { reactionUsers } from '../store/reactions.store.js';
import type { Caller } from './caller.js';
import { readableMessage } from './message-access.js';
import { toMessage, toMessages, viewMessage } from './views.js';

const DEFAULT_PAGE = 50;
const DEFAULT_EVENTS_PAGE = 100;

export interface SeqWindow {
  before?: number;
  after?: number;
  limit?: number;
}

/** A page of history by seq (newest first; oldest first when only `after` is given). */
export async function getHistory(deps: MessageDeps, caller: Caller, chatId: string, q: SeqWindow): Promise<{ data: Message[]; hasMore: boolean }> {
  await deps.access.require(caller.appId, chatId, caller.userId, 'read');
  const { db } = deps.platform;
  const limit = q.limit ?? DEFAULT_PAGE;
  const rows = await listHistory(db, { chatId, viewer: caller.userId, before: q.before ?? null, after: q.after ?? null, limit: limit + 1 });
  return { data: await toMessages(db, chatId, rows.slice(0, limit), caller.userId), hasMore: rows.length > limit };
}

/** The chat's log after `after`, as the caller may see it, with the chat's head seq. */
/** A page of the chat's log after `after`; with `maxBytes`, cut short (hasMore) before its JSON outgrows that. */
export async function getEvents(
  deps: MessageDeps,
  caller: Caller,
  chatId: string,
  after = 0,
  limit = DEFAULT_EVENTS_PAGE,
  maxBytes = Infinity,
): Promise<EventPage> {
  await deps.access.require(caller.appId, chatId, caller.userId, 'read');
  const { db } = deps.platform;
  const head = await findHead(db, chatId);
  if (!head) return { data: [], lastSeq: 0, hasMore: false };
  const rows = await listEventsAfter(db, { chatId, viewer: caller.userId, after, truncatedSeq: head.truncatedSeq, limit: limit + 1 });
  const page = rows.slice(0, limit);
  let bytes = 0;
  const fits = maxBytes === Infinity ? page.length : page.findIndex((row) => (bytes += Buffer.byteLength(JSON.stringify(row))) > maxBytes);
  const data = fits < 0 ? page : page.slice(0, Math.max(1, fits));
  return { data, lastSeq: head.lastSeq, hasMore: rows.length > data.length };
}

export async function getMessage(deps: MessageDeps, caller: Caller, messageId: string): Promise<Message> {
  const { message } = await readableMessage(deps, caller, messageId);
  return viewMessage(deps.platform.db, message, caller.userId);
}

export async function getReplies(deps: MessageDeps, caller: Caller, rootId: string, q: SeqWindow): Promise<{ data: Message[]; hasMore: boolean }> {
  const { message: root } = await readableMessage(deps, caller, rootId);
  const { db } = deps.platform;
  const head = await findHead(db, root.chatId);
  const limit = q.limit ?? DEFAULT_PAGE;
  const rows = await selectReplies(db, {
    chatId: root.chatId,
    rootId: root.id,
    viewer: caller.userId,
    truncatedSeq: head?.truncatedSeq ?? 0,
    before: q.before ?? null,
    after: q.after ?? null,
    limit: limit + 1,
  });
  return { data: await toMessages(db, root.chatId, rows.slice(0, limit), caller.userId), hasMore: rows.length > limit };
}

export async function getPins(deps: MessageDeps, caller: Caller, chatId: string) {
  await deps.access.require(caller.appId, chatId, caller.userId, 'read');
  const { db } = deps.platform;
  const head = await findHead(db, chatId);
  const rows = await listPinned(db, chatId, caller.userId, head?.truncatedSeq ?? 0);
  const messages = await toMessages(db, chatId, rows, caller.userId);
  return { data: rows.map((r, i) => ({ message: messages[i]!, pinnedBy: r.pinnedBy!, pinnedAt: r.pinnedAt!.toISOString() })) };
}

/** The texts a message had, oldest first, ending with the current one. */
export async function getEdits(deps: MessageDeps, caller: Caller, messageId: string) {
  const { message } = await readableMessage(deps, caller, messageId);
  const previous = await listEdits(deps.platform.db, message.chatId, message.id);
  const current = message.editedAt ? [{ text: message.text, editedAt: message.editedAt.toISOString() }] : [];
  return { data: [...previous.map((e) => ({ text: e.text, editedAt: e.editedAt.toISOString() })), ...current] };
}

/** Who reacted with which emoji. */
export async function getReactions(deps: MessageDeps, caller: Caller, messageId: string) {
  const { message } = await readableMessage(deps, caller, messageId);
  const rows = await reactionUsers(deps.platform.db, message.chatId, message.id);
  return { data: rows.map((r) => ({ emoji: r.emoji, userIds: r.userIds, count: r.userIds.length })) };
}

/** A page of what the user sent (for the data export): by id, which follows time. */
export async function getSentMessages(deps: MessageDeps, caller: Caller, after?: string, limit = 500) {
  const rows = await listSentBy(deps.platform.db, caller.appId, caller.userId, after ?? null, limit);
  const messages = rows.map((r) => toMessage(r));
  return { messages, nextAfter: rows.length === limit ? rows[rows.length - 1]!.id : null };
}
