import { type Message, messageEvents } from '@chat/contracts';
import { type AppError, type Executor, type Platform, RateLimitedError, recordEventBatch } from '@chat/service-kit';
import { type ChatHead, type NewLogEvent, insertEvents, lockHeads, setLastSeqs } from '../store/log.store.js';
import { lastPostAt, notePosts } from '../store/members.store.js';
import { type MessageRow, type NewMessage, countReplies, findByClientIds, insertMessages } from '../store/messages.store.js';
import { type LiveOutbox, txThenPublish } from './live.js';
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

const keyOf = (m: { chatId: string; senderId: string; clientMessageId: string }) => `${m.chatId}\u0000${m.senderId}\u0000${m.clientMessageId}`;

/**
 * Group commit: sends that arrive while transactions are under way wait and are written
 * together, many chats in one transaction (a few statements whatever the batch size), with at
 * most `maxConcurrent` transactions at a time. A chat's head row lock is held once per batch
 * rather than once per message, so neither one busy chat nor many quiet ones make a commit per
 * message. A send into an idle service starts at once.
 */
export class SendBatcher {
  private readonly queue: Pending[] = [];
  private running = 0;

  constructor(
    private readonly platform: Platform,
    private readonly maxBatch: number,
    private readonly maxConcurrent = 4,
  ) {}

  submit(send: PreparedSend): Promise<SendResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ send, resolve, reject });
      if (this.running < this.maxConcurrent) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running++;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
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
    } finally {
      this.running--;
    }
  }
}

/** Writes a batch under its chats' head locks; a retried `clientMessageId` resolves to the stored message. */
async function writeBatch(t: Executor, live: LiveOutbox, sends: PreparedSend[]): Promise<Outcome[]> {
  const heads = await lockHeads(t, sends.map((s) => s.message));
  const stored = new Map((await findByClientIds(t, sends.map((s) => s.message))).map((r) => [keyOf(r), r]));
  const now = new Date();
  const fresh: MessageRow[] = [];
  const freshKeys = new Set<string>();
  const outcomes: (Outcome | { sameAs: string })[] = [];
  const postedNow = new Set<string>();
  const views = new Map<string, Message>();

  for (const send of sends) {
    const key = keyOf(send.message);
    const existing = stored.get(key);
    if (existing) {
      outcomes.push(freshKeys.has(key) ? { sameAs: key } : { result: { message: toMessage(existing), created: false } });
      continue;
    }
    const wait = await slowModeWait(t, send, postedNow, now);
    if (wait > 0) {
      outcomes.push({ error: new RateLimitedError(wait, 'slow mode: wait before posting again', 'slow_mode') });
      continue;
    }
    const head = heads.get(send.message.chatId)!;
    head.lastSeq += 1;
    const row: MessageRow = { ...send.message, seq: head.lastSeq, createdAt: now, replyCount: 0, lastReplyAt: null, pinnedAt: null, pinnedBy: null, editedAt: null, deletedAt: null };
    fresh.push(row);
    freshKeys.add(key);
    stored.set(key, row);
    postedNow.add(`${row.chatId}:${row.senderId}`);
    const view = toMessage(row);
    views.set(row.id, view);
    outcomes.push({ result: { message: view, created: true } });
  }

  if (fresh.length > 0) await writeFresh(t, live, fresh, views, [...heads.values()], now);
  return outcomes.map((o) => ('sameAs' in o ? { result: { message: toMessage(stored.get(o.sameAs)!), created: false } } : o));
}

async function writeFresh(t: Executor, live: LiveOutbox, fresh: MessageRow[], views: Map<string, Message>, heads: ChatHead[], now: Date): Promise<void> {
  await insertMessages(t, fresh);
  const replies = fresh.filter((m) => m.threadRootId);
  for (const chatId of new Set(replies.map((m) => m.chatId))) {
    await countReplies(t, chatId, replies.filter((m) => m.chatId === chatId).map((m) => m.threadRootId!), now);
  }
  const events: NewLogEvent[] = fresh.map((m) => ({
    chatId: m.chatId, seq: m.seq, type: 'message.created', actorId: m.senderId, messageId: m.id, visibleTo: m.visibleTo, sourceId: null,
    data: { message: views.get(m.id) }, createdAt: now,
  }));
  await insertEvents(t, events);
  await setLastSeqs(t, heads);
  await notePosts(t, fresh.map((m) => ({ chatId: m.chatId, appId: m.appId, userId: m.senderId, seq: m.seq, at: now })));
  await recordEventBatch(t, messageEvents.created, fresh.map((m) => ({ appId: m.appId, data: { message: views.get(m.id)!, visibleTo: m.visibleTo } })));
  for (const e of events) {
    live.logEvent(e.chatId, { seq: e.seq, type: e.type, createdAt: now.toISOString(), actorId: e.actorId, data: e.data }, e.visibleTo);
  }
}

/** Seconds the sender still has to wait under slow mode (0: may post). */
async function slowModeWait(t: Executor, send: PreparedSend, postedNow: Set<string>, now: Date): Promise<number> {
  if (send.slowModeSeconds <= 0) return 0;
  if (postedNow.has(`${send.message.chatId}:${send.message.senderId}`)) return send.slowModeSeconds;
  const last = await lastPostAt(t, send.message.chatId, send.message.senderId);
  if (!last) return 0;
  const waitMs = last.getTime() + send.slowModeSeconds * 1000 - now.getTime();
  return waitMs > 0 ? Math.ceil(waitMs / 1000) : 0;
}
