import type { ChatAction, ChatAuthorization } from '@chat/contracts';
import { NotFoundError } from '@chat/service-kit';
import type { MessageDeps } from '../deps.js';
import { findHead } from '../store/log.store.js';
import { type MessageRow, findMessage, isHidden } from '../store/messages.store.js';
import type { Caller } from './caller.js';

const notFound = () => new NotFoundError('message not found');

/** 404 unless `caller` may see the message: shadow-banned, hidden-for-me and truncated messages are not there. */
export async function requireVisible(deps: MessageDeps, caller: Caller, row: MessageRow): Promise<void> {
  const { db } = deps.platform;
  if (row.visibleTo && row.visibleTo !== caller.userId) throw notFound();
  const [head, hidden] = await Promise.all([findHead(db, row.chatId), isHidden(db, row.chatId, caller.userId, row.id)]);
  if (hidden || (head && row.seq <= head.truncatedSeq)) throw notFound();
}

/**
 * The message when `caller` is a member of its chat allowed `action` and may see it; an
 * unknown id, another app's message, an outsider and a removed member all get the same 404.
 */
export async function readableMessage(
  deps: MessageDeps,
  caller: Caller,
  messageId: string,
  action: ChatAction = 'read',
): Promise<{ message: MessageRow; auth: ChatAuthorization }> {
  const message = await findMessage(deps.platform.db, messageId);
  if (!message || message.appId !== caller.appId) throw notFound();
  const read = await deps.access.authorize(caller.appId, message.chatId, caller.userId, 'read');
  if (!read.allowed) throw notFound();
  await requireVisible(deps, caller, message);
  const auth = action === 'read' ? read : await deps.access.require(caller.appId, message.chatId, caller.userId, action);
  return { message, auth };
}
