import type { Message } from '@chat/contracts';
import type { ChatEvent } from './types.js';

interface ChatMessages {
  /** In seq order. */
  ordered: Message[];
  byId: Map<string, Message>;
}

/** Index of the first message with a seq ≥ `seq`. */
function lowerBound(list: Message[], seq: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

type Reaction = Message['reactions'][number];

function react(reactions: Reaction[], emoji: string, add: boolean, mine: boolean): Reaction[] {
  const current = reactions.find((r) => r.emoji === emoji);
  if (add) {
    if (!current) return [...reactions, { emoji, count: 1, me: mine }];
    return reactions.map((r) => (r === current ? { ...r, count: r.count + 1, me: r.me || mine } : r));
  }
  if (!current) return reactions;
  if (current.count <= 1) return reactions.filter((r) => r !== current);
  return reactions.map((r) => (r === current ? { ...r, count: r.count - 1, me: r.me && !mine } : r));
}

/**
 * Each chat's messages in seq order with the log applied: edits replace the text, deletes leave a
 * tombstone, reactions and pins update the message. One entry per message id.
 */
export class Timelines {
  private readonly chats = new Map<string, ChatMessages>();

  list(chatId: string): Message[] {
    return [...(this.chats.get(chatId)?.ordered ?? [])];
  }

  /** Applies a shown log event (`me`: the signed-in user, for reactions' `me`). */
  apply(e: ChatEvent, me: string | undefined): void {
    const messageId = typeof e.d.messageId === 'string' ? e.d.messageId : undefined;
    switch (e.t) {
      case 'message.created':
        return this.put(e.chatId, e.d.message as Message);
      case 'message.edited': {
        const edited = e.d.message as Message;
        return this.update(e.chatId, edited.id, (m) => ({ ...m, text: edited.text, editedAt: edited.editedAt }));
      }
      case 'message.deleted':
        if (messageId) this.update(e.chatId, messageId, (m) => ({ ...m, deleted: true, text: null, attachments: [], reactions: [], pinned: false }));
        return;
      case 'reaction.added':
      case 'reaction.removed': {
        const emoji = String(e.d.emoji);
        const mine = e.d.userId === me;
        if (messageId) this.update(e.chatId, messageId, (m) => ({ ...m, reactions: react(m.reactions, emoji, e.t === 'reaction.added', mine) }));
        return;
      }
      case 'message.pinned':
      case 'message.unpinned':
        if (messageId) this.update(e.chatId, messageId, (m) => ({ ...m, pinned: e.t === 'message.pinned' }));
        return;
      case 'chat.truncated':
        return this.dropBefore(e.chatId, e.seq);
      default:
    }
  }

  /** Adds messages read over REST (older history); ones already held are kept as they are. */
  merge(chatId: string, messages: Message[]): void {
    for (const m of messages) this.put(chatId, m);
  }

  /** Deleted for this user only: gone from the timeline. */
  remove(chatId: string, messageId: string): void {
    const chat = this.chats.get(chatId);
    const message = chat?.byId.get(messageId);
    if (!chat || !message) return;
    chat.byId.delete(messageId);
    chat.ordered.splice(lowerBound(chat.ordered, message.seq), 1);
  }

  private put(chatId: string, message: Message): void {
    let chat = this.chats.get(chatId);
    if (!chat) this.chats.set(chatId, (chat = { ordered: [], byId: new Map() }));
    if (chat.byId.has(message.id)) return;
    chat.byId.set(message.id, message);
    const last = chat.ordered.at(-1);
    if (!last || last.seq < message.seq) chat.ordered.push(message);
    else chat.ordered.splice(lowerBound(chat.ordered, message.seq), 0, message);
  }

  private update(chatId: string, messageId: string, change: (m: Message) => Message): void {
    const chat = this.chats.get(chatId);
    const current = chat?.byId.get(messageId);
    if (!chat || !current) return;
    const next = change(current);
    chat.byId.set(messageId, next);
    chat.ordered[lowerBound(chat.ordered, current.seq)] = next;
  }

  private dropBefore(chatId: string, seq: number): void {
    const chat = this.chats.get(chatId);
    if (!chat) return;
    const cut = lowerBound(chat.ordered, seq);
    for (const m of chat.ordered.slice(0, cut)) chat.byId.delete(m.id);
    chat.ordered.splice(0, cut);
  }
}
