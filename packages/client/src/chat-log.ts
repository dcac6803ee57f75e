import type { EventPage, LogEvent, SyncAck } from '@chat/contracts';
import { ApiError } from './errors.js';
import type { ChatEvent, ClientStats } from './types.js';

type SyncResult = SyncAck['chats'][string];

interface ChatCursor {
  /** Every seq up to here is held (shown, or not visible to this user). */
  cursor: number;
  /** Events received above a gap, shown once the gap is filled. */
  pending: Map<number, ChatEvent>;
  /** A `sync` covering this chat is unanswered: its replay may skip seqs, the ack settles them. */
  syncing: boolean;
  filling: boolean;
  /** Something arrived during a catch-up that needs another round. */
  refill: boolean;
}

export interface ChatLogDeps {
  events(chatId: string, after: number): Promise<EventPage>;
  /** Shows one event; called in seq order, once per seq. */
  show(event: ChatEvent): void;
  /** The user no longer belongs to the chat. */
  lost(chatId: string): void;
  /** A background catch-up failed (it is retried). */
  failed(err: unknown): void;
  retryDelay(attempt: number): number;
  stats: ClientStats;
}

export const toChatEvent = (chatId: string, e: LogEvent): ChatEvent => ({
  op: 'event',
  t: e.type,
  chatId,
  seq: e.seq,
  actorId: e.actorId,
  createdAt: e.createdAt,
  d: e.data,
});

/**
 * Per tracked chat, the highest contiguous seq held: shows each log event once and in seq order,
 * holds events above a gap and fills the gap from `GET /chats/:id/events`.
 *
 * Gaps are filled over REST rather than with a `sync` on the socket: a sync skips seqs the server
 * already sent on that socket, which includes events of a chat that was not tracked yet.
 */
export class ChatLog {
  private readonly chats = new Map<string, ChatCursor>();
  private closed = false;

  constructor(private readonly deps: ChatLogDeps) {}

  has(chatId: string): boolean {
    return this.chats.has(chatId);
  }

  cursor(chatId: string): number | undefined {
    return this.chats.get(chatId)?.cursor;
  }

  /** Returns false when the chat was tracked already (its cursor is kept). */
  track(chatId: string, afterSeq: number): boolean {
    if (this.chats.has(chatId)) return false;
    this.chats.set(chatId, { cursor: afterSeq, pending: new Map(), syncing: false, filling: false, refill: false });
    return true;
  }

  untrack(chatId: string): void {
    this.chats.delete(chatId);
  }

  /** Stops (or resumes) catching up: nothing is fetched while the client is closed. */
  setActive(active: boolean): void {
    this.closed = !active;
  }

  /** The cursors of every tracked chat, as `sync` takes them. */
  cursors(): Record<string, number> {
    return Object.fromEntries([...this.chats].map(([id, c]) => [id, c.cursor]));
  }

  /** A log event from the socket. Events of chats not tracked are ignored. */
  receive(event: ChatEvent): void {
    const chat = this.chats.get(event.chatId);
    if (!chat) return;
    if (event.seq <= chat.cursor || chat.pending.has(event.seq)) {
      this.deps.stats.duplicatesDropped += 1;
      return;
    }
    chat.pending.set(event.seq, event);
    this.drain(chat);
    if (chat.pending.size > 0 && !chat.syncing) this.fill(event.chatId);
  }

  syncSent(chatIds: string[]): void {
    for (const id of chatIds) {
      const chat = this.chats.get(id);
      if (chat) chat.syncing = true;
    }
  }

  /** The sync's ack for one chat: every seq up to `lastSeq` has been sent (those not sent are not visible). */
  syncAnswered(chatId: string, result: SyncResult | undefined): void {
    const chat = this.chats.get(chatId);
    if (!chat) return;
    chat.syncing = false;
    if (!result || 'error' in result) {
      if (result?.error === 'forbidden') return this.lose(chatId);
      return this.fill(chatId);
    }
    this.advanceTo(chat, result.lastSeq);
    if (result.hasMore || chat.pending.size > 0) this.fill(chatId);
  }

  /** The sync got no ack: the socket closed (the next one syncs again) or it was refused (catch up over REST). */
  syncFailed(chatIds: string[], socketOpen: boolean): void {
    for (const id of chatIds) {
      const chat = this.chats.get(id);
      if (!chat) continue;
      chat.syncing = false;
      if (socketOpen) this.fill(id);
    }
  }

  /** Pages the log after the cursor until it reaches the head (and past any event held above a gap). */
  fill(chatId: string): void {
    const chat = this.chats.get(chatId);
    if (!chat || this.closed) return;
    if (chat.filling) {
      chat.refill = true;
      return;
    }
    chat.filling = true;
    void this.catchUp(chatId, chat).finally(() => {
      chat.filling = false;
    });
  }

  private async catchUp(chatId: string, chat: ChatCursor): Promise<void> {
    for (let failures = 0; ; ) {
      if (this.closed || this.chats.get(chatId) !== chat) return;
      chat.refill = false;
      let page: EventPage;
      try {
        page = await this.deps.events(chatId, chat.cursor);
      } catch (err) {
        if (err instanceof ApiError && (err.status === 404 || err.status === 403)) return this.lose(chatId);
        this.deps.failed(err);
        // Not worth repeating as is (e.g. the session ended): the next gap or sync tries again.
        if (err instanceof ApiError && !err.retryable) return;
        await new Promise((r) => setTimeout(r, this.deps.retryDelay(failures++)));
        continue;
      }
      failures = 0;
      if (this.chats.get(chatId) !== chat) return;
      for (const e of page.data) if (e.seq > chat.cursor && !chat.pending.has(e.seq)) chat.pending.set(e.seq, toChatEvent(chatId, e));
      // A page covers every visible seq up to its last event, or up to the head when it is the last page.
      const covered = page.hasMore ? (page.data.at(-1)?.seq ?? chat.cursor) : Math.max(page.lastSeq, page.data.at(-1)?.seq ?? 0);
      this.advanceTo(chat, covered);
      if (!page.hasMore && !chat.refill && chat.pending.size === 0) break;
    }
    this.deps.stats.gapsFilled += 1;
  }

  /** Shows the held events up to `seq` in order and moves the cursor there: seqs not held are not visible to us. */
  private advanceTo(chat: ChatCursor, seq: number): void {
    const below = [...chat.pending.keys()].filter((s) => s <= seq).sort((a, b) => a - b);
    for (const s of below) {
      const event = chat.pending.get(s)!;
      chat.pending.delete(s);
      if (s <= chat.cursor) continue;
      chat.cursor = s;
      this.deps.show(event);
    }
    chat.cursor = Math.max(chat.cursor, seq);
    this.drain(chat);
  }

  private drain(chat: ChatCursor): void {
    for (let next = chat.pending.get(chat.cursor + 1); next; next = chat.pending.get(chat.cursor + 1)) {
      chat.pending.delete(next.seq);
      chat.cursor = next.seq;
      this.deps.show(next);
    }
  }

  private lose(chatId: string): void {
    this.chats.delete(chatId);
    this.deps.lost(chatId);
  }
}
