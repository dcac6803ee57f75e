import { type Message, messageEvents } from '@chat/contracts';
import { AppError, ForbiddenError, NotFoundError, ValidationError, recordEvent } from '@chat/service-kit';
import type { MessageDeps } from '../deps.js';
import { deleteEdits, keepPreviousText } from '../store/edits.store.js';
import { lockHead, scrubMessageEvents } from '../store/log.store.js';
import { type MessageRow, hideMessage, lockMessage, setPinned, tombstone, updateText } from '../store/messages.store.js';
import { addReaction, removeReaction, replaceVotes } from '../store/reactions.store.js';
import type { Caller } from './caller.js';
import { txThenPublish } from './live.js';
import { appendToLog } from './log.js';
import { readableMessage } from './message-access.js';
import { toMessage, viewMessage } from './views.js';

const EDITABLE = new Set(['text', 'image', 'video', 'audio', 'voice', 'file']);
const gone = () => new NotFoundError('message not found');

/** The sender changes the text within the edit window; the previous text is kept in the history. */
export async function editMessage(deps: MessageDeps, caller: Caller, messageId: string, text: string): Promise<Message> {
  const { message } = await readableMessage(deps, caller, messageId, 'post');
  if (message.deletedAt) throw gone();
  if (message.senderId !== caller.userId) throw new ForbiddenError('only the sender may edit a message');
  if (!EDITABLE.has(message.type) || message.forwardedFrom)
    throw new ValidationError([{ path: 'text', message: `a ${message.forwardedFrom ? 'forwarded' : message.type} message has no editable text` }]);
  if (Date.now() - message.createdAt.getTime() > deps.config.EDIT_WINDOW_HOURS * 3600_000) {
    throw new AppError(422, 'edit_window_passed', `messages can be edited for ${deps.config.EDIT_WINDOW_HOURS} hours`);
  }
  return txThenPublish(deps.platform, async (t, live) => {
    const head = await lockHead(t, message.chatId, message.appId);
    const current = await lockMessage(t, message.chatId, message.id);
    if (!current || current.deletedAt) throw gone();
    const now = new Date();
    await keepPreviousText(t, current.chatId, current.id, current.text, current.editedAt ?? current.createdAt);
    await updateText(t, current.chatId, current.id, text, now);
    const view = await viewMessage(t, { ...current, text, editedAt: now }, caller.userId);
    await appendToLog(
      t,
      head,
      [{ type: 'message.edited', actorId: caller.userId, messageId: current.id, visibleTo: current.visibleTo, data: { message: view } }],
      live,
    );
    await recordEvent(t, messageEvents.edited, current.appId, { message: view, visibleTo: current.visibleTo });
    return view;
  });
}

/** For me: hidden from the caller only. For everyone: a tombstone, by the sender or a role allowed to. */
export async function deleteMessage(deps: MessageDeps, caller: Caller, messageId: string, scope: 'me' | 'everyone'): Promise<void> {
  const { message } = await readableMessage(deps, caller, messageId);
  if (scope === 'me') return hideForCaller(deps, caller, message);
  if (message.deletedAt) return;
  if (message.senderId !== caller.userId) {
    const may = await deps.access.authorize(caller.appId, message.chatId, caller.userId, 'delete_others_messages');
    if (!may.allowed) throw new ForbiddenError('only the sender, an admin or a moderator may delete this message');
  }
  await txThenPublish(deps.platform, async (t, live) => {
    const head = await lockHead(t, message.chatId, message.appId);
    const current = await lockMessage(t, message.chatId, message.id);
    if (!current || current.deletedAt) return;
    const now = new Date();
    await tombstone(t, current.chatId, current.id, now);
    await deleteEdits(t, current.chatId, current.id);
    await scrubMessageEvents(t, current.chatId, current.id, { message: toMessage(asTombstone(current, now)) });
    await appendToLog(
      t,
      head,
      [{ type: 'message.deleted', actorId: caller.userId, messageId: current.id, visibleTo: current.visibleTo, data: { messageId: current.id } }],
      live,
    );
    await recordEvent(t, messageEvents.deleted, current.appId, {
      chatId: current.chatId,
      messageId: current.id,
      senderId: current.senderId,
      by: caller.userId,
      attachmentIds: (current.attachments as { id: string }[]).map((a) => a.id),
    });
  });
}

function asTombstone(row: MessageRow, at: Date): MessageRow {
  return {
    ...row,
    deletedAt: at,
    text: null,
    attachments: [],
    mentions: [],
    location: null,
    contact: null,
    poll: null,
    forwardedFrom: null,
    pinnedAt: null,
    pinnedBy: null,
  };
}

async function hideForCaller(deps: MessageDeps, caller: Caller, message: MessageRow): Promise<void> {
  await txThenPublish(deps.platform, async (t, live) => {
    if (!(await hideMessage(t, message.chatId, caller.userId, message.id))) return;
    await recordEvent(t, messageEvents.hidden, message.appId, { chatId: message.chatId, messageId: message.id, userId: caller.userId });
    live.toUser(caller.userId, { op: 'event', t: 'message.deleted', chatId: message.chatId, d: { messageId: message.id, for: 'me' } });
  });
}

/** Adds or removes the caller's reaction (one of each emoji per user; repeating is a no-op). */
export async function react(deps: MessageDeps, caller: Caller, messageId: string, emoji: string, add: boolean): Promise<MessageRow> {
  const { message, auth } = await readableMessage(deps, caller, messageId);
  if (message.deletedAt) throw gone();
  if (auth.frozen) throw new ForbiddenError('the chat is frozen', 'chat_frozen');
  await txThenPublish(deps.platform, async (t, live) => {
    const head = await lockHead(t, message.chatId, message.appId);
    const changed = add
      ? await addReaction(t, message.chatId, message.id, emoji, caller.userId)
      : await removeReaction(t, message.chatId, message.id, emoji, caller.userId);
    if (!changed) return;
    const data = { chatId: message.chatId, messageId: message.id, userId: caller.userId, emoji };
    await appendToLog(
      t,
      head,
      [{ type: add ? 'reaction.added' : 'reaction.removed', actorId: caller.userId, messageId: message.id, visibleTo: message.visibleTo, data }],
      live,
    );
    await recordEvent(t, add ? messageEvents.reactionAdded : messageEvents.reactionRemoved, message.appId, data);
  });
  return message;
}

/** Pins or unpins (roles with `pin`); pinning a pinned message changes nothing. */
export async function setPin(deps: MessageDeps, caller: Caller, messageId: string, pinned: boolean): Promise<void> {
  const { message } = await readableMessage(deps, caller, messageId, 'pin');
  if (message.deletedAt) throw gone();
  await txThenPublish(deps.platform, async (t, live) => {
    const head = await lockHead(t, message.chatId, message.appId);
    const current = await lockMessage(t, message.chatId, message.id);
    if (!current || current.deletedAt || (current.pinnedAt !== null) === pinned) return;
    await setPinned(t, current.chatId, current.id, pinned ? caller.userId : null, pinned ? new Date() : null);
    const data = { chatId: current.chatId, messageId: current.id, by: caller.userId };
    await appendToLog(
      t,
      head,
      [{ type: pinned ? 'message.pinned' : 'message.unpinned', actorId: caller.userId, messageId: current.id, visibleTo: current.visibleTo, data }],
      live,
    );
    await recordEvent(t, pinned ? messageEvents.pinned : messageEvents.unpinned, current.appId, data);
  });
}

/** Replaces the caller's vote on a poll (`[]` retracts it). */
export async function vote(deps: MessageDeps, caller: Caller, messageId: string, optionIds: number[]): Promise<Message> {
  const { message, auth } = await readableMessage(deps, caller, messageId);
  if (message.deletedAt) throw gone();
  if (!message.poll) throw new ValidationError([{ path: 'optionIds', message: 'the message is not a poll' }]);
  if (auth.frozen) throw new ForbiddenError('the chat is frozen', 'chat_frozen');
  const unique = [...new Set(optionIds)].sort((a, b) => a - b);
  if (unique.length !== optionIds.length) throw new ValidationError([{ path: 'optionIds', message: 'options must not repeat' }]);
  if (unique.some((o) => o >= message.poll!.options.length)) throw new ValidationError([{ path: 'optionIds', message: 'no such option' }]);
  if (!message.poll.multipleChoice && unique.length > 1) throw new ValidationError([{ path: 'optionIds', message: 'this poll takes one option' }]);
  return txThenPublish(deps.platform, async (t, live) => {
    const head = await lockHead(t, message.chatId, message.appId);
    await replaceVotes(t, message.chatId, message.id, caller.userId, unique);
    const data = { chatId: message.chatId, messageId: message.id, userId: caller.userId, optionIds: unique };
    await appendToLog(t, head, [{ type: 'poll.voted', actorId: caller.userId, messageId: message.id, visibleTo: message.visibleTo, data }], live);
    await recordEvent(t, messageEvents.pollVoted, message.appId, data);
    return viewMessage(t, message, caller.userId);
  });
}
