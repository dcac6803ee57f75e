import { type Message, messageEvents } from '@chat/contracts';
import { type AppError, type Executor, type Platform, RateLimitedError, recordEvent } from '@chat/service-kit';
import { lockHead } from '../store/log.store.js';
import { lastPostAt, notePosts } from '../store/members.store.js';
import { type MessageRow, type NewMessage, countReplies, findByClientIds, insertMessages } from '../store/messages.store.js';
import { type LiveOutbox, txThenPublish } from './live.js';
import { appendToLog } from './log.js';
import { toMessage } from './views.js';

/** A send that passed every check that needs no lock: what is left is ordering and idempotency. */
export interface PreparedSend {
  message: Omit<NewMessage, 'seq' | 'createdAt'>;
  /** Seconds between two posts of this sender (0: no slow mode for them). */
  slowModeSeconds: number;
}

export interface SendResult {
  message: Message;
  created: boolean;
}

interface Pending {
  send: PreparedSend;
  resolve(result: SendResult): void;
  reject(err: unknown): void;
}

type Outcome = { result: SendResult } | { error: AppError };

const keyOf = (m: { senderId: string; clientMessageId: string }) => `${m.senderId}\u0000${m.clientMessageId}`;

/**
 * Group commit per chat: while one transaction appends to a chat, the sends that arrive for it
 * wait and are then written together in the next one. A chat's head row lock is therefore held
 * once per batch instead of once per message, and one chat takes as many sends per second as a
 * few commits allow. A send into an idle chat starts at once.
 */
export class SendBatcher {
  private readonly queues = new Map<string, Pending[]>();

  constructor(
    private readonly platform: Platform,
    private readonly maxBatch: number,
  ) {}

  submit(send: PreparedSend): Promise<SendResult> {
    return new Promise((resolve, reject) => {
      const chatId = send.message.chatId;
      const queue = this.queues.get(chatId);
      if (queue) {
        queue.push({ send, resolve, reject });
        return;
      }
      this.queues.set(chatId, [{ send, resolve, reject }]);
      void this.drain(chatId);
    });
  }

  private async drain(chatId: string): Promise<void> {
    const queue = this.queues.get(chatId)!;
    while (queue.length > 0) {
      const batch = queue.splice(0, this.maxBatch);
      try {
        const outcomes = await txThenPublish(this.platform, (t, live) => writeBatch(t, live, batch.map((p) => p.send)));
        batch.forEach((p, i) => {
          const o = outcomes[i]!;
          if ('result' in o) p.resolve(o.result);
          else p.reject(o.error);
        });
      } catch (err) {
        batch.forEach((p) => p.reject(err));
      }
    }
    this.queues.delete(chatId);
  }
}

/** Writes one chat's batch under its head lock; a retried `clientMessageId` resolves to the stored message. */
async function writeBatch(t: Executor, live: LiveOutbox, sends: PreparedSend[]): Promise<Outcome[]> {
  const first = sends[0]!.message;
  const head = await lockHead(t, first.chatId, first.appId);
  const stored = new Map((await findByClientIds(t, first.chatId, sends.map((s) => s.message))).map((r) => [keyOf(r), r]));
  const now = new Date();
  const fresh: MessageRow[] = [];
  const outcomes: (Outcome | { sameAs: string })[] = [];
  const postedNow = new Set<string>();

  for (const send of sends) {
    const key = keyOf(send.message);
    const existing = stored.get(key);
    if (existing) {
      outcomes.push(fresh.includes(existing) ? { sameAs: key } : { result: { message: toMessage(existing), created: false } });
      continue;
    }
    const wait = await slowModeWait(t, send, postedNow, now);
    if (wait > 0) {
      outcomes.push({ error: new RateLimitedError(wait, 'slow mode: wait before posting again', 'slow_mode') });
      continue;
    }
    const row: MessageRow = { ...send.message, seq: head.lastSeq + fresh.length + 1, createdAt: now, replyCount: 0, lastReplyAt: null, pinnedAt: null, pinnedBy: null, editedAt: null, deletedAt: null };
    fresh.push(row);
    stored.set(key, row);
    postedNow.add(row.senderId);
    outcomes.push({ result: { message: toMessage(row), created: true } });
  }

  if (fresh.length > 0) {
    await insertMessages(t, fresh);
    await countReplies(t, head.chatId, fresh.flatMap((m) => (m.threadRootId ? [m.threadRootId] : [])), now);
    await appendToLog(
      t,
      head,
      fresh.map((m) => ({ type: 'message.created', actorId: m.senderId, messageId: m.id, visibleTo: m.visibleTo, data: { message: toMessage(m) }, createdAt: now })),
      live,
    );
    await notePosts(t, head.chatId, head.appId, fresh.map((m) => ({ userId: m.senderId, seq: m.seq, at: now })));
    for (const m of fresh) await recordEvent(t, messageEvents.created, m.appId, { message: toMessage(m), visibleTo: m.visibleTo });
  }
  return outcomes.map((o) => ('sameAs' in o ? { result: { message: toMessage(stored.get(o.sameAs)!), created: false } } : o));
}

/** Seconds the sender still has to wait under slow mode (0: may post). */
async function slowModeWait(t: Executor, send: PreparedSend, postedNow: Set<string>, now: Date): Promise<number> {
  if (send.slowModeSeconds <= 0) return 0;
  if (postedNow.has(send.message.senderId)) return send.slowModeSeconds;
  const last = await lastPostAt(t, send.message.chatId, send.message.senderId);
  if (!last) return 0;
  const waitMs = last.getTime() + send.slowModeSeconds * 1000 - now.getTime();
  return waitMs > 0 ? Math.ceil(waitMs / 1000) : 0;
}
