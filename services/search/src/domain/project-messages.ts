import type { EventEnvelope, Message } from '@chat/contracts';
import type { Executor } from '@chat/service-kit';
import { type IndexedMessage, hideMessage, insertMessage, insertMessages, markMessageDeleted, upsertEditedMessage } from '../store/messages.store.js';

/** Everything a reader could search for in a message: its text and the words of polls, places and contacts. */
export function searchableText(m: Message): string {
  const parts = [m.text, m.poll?.question, ...(m.poll?.options.map((o) => o.text) ?? []), m.location?.name, m.location?.address, m.contact?.name];
  return parts.filter((p): p is string => typeof p === 'string' && p.length > 0).join('\n');
}

export function toIndexed(appId: string, m: Message, visibleTo: string | null): IndexedMessage {
  return {
    chatId: m.chatId,
    id: m.id,
    appId,
    seq: m.seq,
    senderId: m.senderId,
    kind: m.type,
    body: searchableText(m),
    files: m.attachments.map((a) => a.fileName),
    mentions: m.mentions,
    createdAt: m.createdAt,
    editedAt: m.editedAt,
    visibleTo,
  };
}

type Posted = EventEnvelope<{ message: Message; visibleTo: string | null }>;

export async function indexCreated(t: Executor, e: Posted): Promise<void> {
  const { message, visibleTo } = e.data;
  if (message.deleted)
    return indexDeleted(t, { appId: e.appId, chatId: message.chatId, messageId: message.id, senderId: message.senderId, at: message.createdAt });
  await insertMessage(t, toIndexed(e.appId, message, visibleTo));
}

/** A run of creates in one statement (what a burst of sends becomes). */
export async function indexCreatedMany(t: Executor, events: Posted[]): Promise<void> {
  const live = events.filter((e) => !e.data.message.deleted);
  for (const e of events.filter((x) => x.data.message.deleted)) await indexCreated(t, e);
  await insertMessages(
    t,
    live.map((e) => toIndexed(e.appId, e.data.message, e.data.visibleTo)),
  );
}

export async function indexEdited(t: Executor, e: Posted): Promise<void> {
  const { message, visibleTo } = e.data;
  if (message.deleted)
    return indexDeleted(t, { appId: e.appId, chatId: message.chatId, messageId: message.id, senderId: message.senderId, at: message.createdAt });
  await upsertEditedMessage(t, toIndexed(e.appId, message, visibleTo));
}

export async function indexDeleted(t: Executor, d: { appId: string; chatId: string; messageId: string; senderId: string; at: string }): Promise<void> {
  await markMessageDeleted(t, { chatId: d.chatId, id: d.messageId, appId: d.appId, senderId: d.senderId, at: d.at });
}

export async function indexHidden(t: Executor, h: { chatId: string; messageId: string; userId: string }): Promise<void> {
  await hideMessage(t, h);
}
