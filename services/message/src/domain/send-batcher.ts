import { type Message, messageEvents } from '@chat/contracts';
import { type AppError, type Db, JsonText, type Platform, RateLimitedError, eventBatchStatement } from '@chat/service-kit';
import { type ChatHead, type NewLogEvent, insertEventsStatement, lockHeadsStatement, setLastSeqsStatement, toHeads } from '../store/log.store.js';
import { lastPostsStatement, notePostsStatement } from '../store/members.store.js';
import { type MessageRow, type NewMessage, countRepliesStatement, findByClientIdsStatement, insertMessagesStatement, toRow } from '../store/messages.store.js';
import { type Statement, twoStepTx } from '../store/statement.js';
import { LiveOutbox } from './live.js';
import { type AdmissionLimits, type RefusalReason, SendAdmission } from './send-admission.js';
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
  /** The message serialised, when this send stored it (replies and frames are built around it). */
  json?: string;
}

interface Pending {
  send: PreparedSend;
  /** When it joined the queue (`performance.now()`). */
  queuedAt: number;
  resolve(result: SendResult): void;
  reject(err: unknown): void;
}

type Outcome = { result: SendResult } | { error: AppError };

const keyOf = (m: { chatId: string; senderId: string; clientMessageId: string }) => `${m.chatId}\u0000${m.senderId}\u0000${m.clientMessageId}`;

export interface SendQueueLimits extends AdmissionLimits {
  /** Most sends in one transaction. */
  maxBatch: number;
  /** Most transactions under way at a time. */
  maxConcurrent: number;
}

/**
 * Group commit: sends that arrive while transactions are under way wait and are written
 * together, many chats in one transaction (two round trips whatever the batch size), with at
 * most `maxConcurrent` transactions at a time. A chat is written by one transaction at a time:
 * a batch takes only sends of chats no running transaction holds, so concurrent batches never
 * queue on each other's head locks, and one busy chat's sends pile up into its next batch
 * rather than into a commit per message. A send into an idle service starts at once. Past
 * capacity new sends are refused (see `SendAdmission`); a send once queued is always written.
 */
export class SendBatcher {
  private queue: Pending[] = [];
  /** Chats a running transaction is writing. */
  private readonly busyChats = new Set<string>();
  private running = 0;
  private readonly admission: SendAdmission;
  /** Transactions run so far, and the sends they carried (read by the metrics). */
  transactions = 0;
  sendsWritten = 0;

  constructor(
    private readonly platform: Platform,
    private readonly limits: SendQueueLimits,
    onRefused?: (reason: RefusalReason) => void,
  ) {
    this.admission = new SendAdmission(limits, onRefused);
  }

  /** Sends waiting for a transaction. */
  get waiting(): number {
    return this.queue.length;
  }

  /** The queueing delay admission goes by (see `SendAdmission`). */
  get recentWaitMs(): number {
    return this.admission.recentWaitMs;
  }

  /** Throws `RateLimitedError` while the service is over capacity: lets a caller refuse before doing any work. */
  checkAdmission(): void {
    this.admission.check(this.queue.length);
  }

  /** Queues the send, or refuses it at once with `RateLimitedError` when over capacity. */
  submit(send: PreparedSend): Promise<SendResult> {
    return new Promise((resolve, reject) => {
      this.checkAdmission();
      this.queue.push({ send, queuedAt: performance.now(), resolve, reject });
      // Only this send is new: if its chat is being written, nothing more can start now.
      if (this.running < this.limits.maxConcurrent && !this.busyChats.has(send.message.chatId)) this.startBatches();
    });
  }

  private startBatches(): void {
    while (this.running < this.limits.maxConcurrent) {
      const batch = this.takeBatch();
      if (batch.length === 0) return;
      this.admission.noteWait(performance.now() - batch[0]!.queuedAt, this.queue.length);
      void this.write(batch);
    }
  }

  /** Up to `maxBatch` waiting sends, oldest first (the queue is in arrival order), of chats no running transaction holds. */
  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    const waiting: Pending[] = [];
    const taken = new Set<string>();
    for (const p of this.queue) {
      const chatId = p.send.message.chatId;
      if (batch.length < this.limits.maxBatch && (taken.has(chatId) || !this.busyChats.has(chatId))) {
        batch.push(p);
        taken.add(chatId);
      } else {
        waiting.push(p);
      }
    }
    this.queue = waiting;
    return batch;
  }

  private async write(batch: Pending[]): Promise<void> {
    const chats = new Set(batch.map((p) => p.send.message.chatId));
    for (const chatId of chats) this.busyChats.add(chatId);
    this.running++;
    this.transactions++;
    this.sendsWritten += batch.length;
    try {
      const live = new LiveOutbox();
      const outcomes = await writeBatch(
        this.platform.db,
        live,
        batch.map((p) => p.send),
      );
      this.platform.outbox.kick();
      live.publish(this.platform);
      batch.forEach((p, i) => {
        const o = outcomes[i]!;
        if ('result' in o) p.resolve(o.result);
        else p.reject(o.error);
      });
    } catch (err) {
      batch.forEach((p) => p.reject(err));
    } finally {
      for (const chatId of chats) this.busyChats.delete(chatId);
      this.running--;
      this.startBatches();
    }
  }
}

/**
 * Writes a batch in one transaction of two round trips. The first locks the heads (in chat-id
 * order) and reads, under the locks, the sends already stored (retries) and, for senders under
 * slow mode, when they last posted; the second writes the messages, reply counts, log entries,
 * heads, senders' markers and outbox rows, and commits. A retried `clientMessageId` resolves to
 * the stored message.
 */
async function writeBatch(db: Db, live: LiveOutbox, sends: PreparedSend[]): Promise<Outcome[]> {
  const slowed = sends.filter((s) => s.slowModeSeconds > 0).map((s) => ({ chatId: s.message.chatId, userId: s.message.senderId }));
  const reads = [
    lockHeadsStatement(sends.map((s) => s.message)),
    findByClientIdsStatement(sends.map((s) => s.message)),
    ...(slowed.length > 0 ? [lastPostsStatement(slowed)] : []),
  ];
  return twoStepTx(db, reads, ([headRows, storedRows, postRows]) => {
    const stored = new Map((storedRows as MessageRow[]).map((r) => [keyOf(r), toRow(r)]));
    const lastPosts = new Map(
      ((postRows ?? []) as { chatId: string; userId: string; lastPostAt: Date }[]).map((r) => [postKey(r.chatId, r.userId), r.lastPostAt]),
    );
    return planBatch(sends, toHeads(headRows!), stored, lastPosts, live);
  });
}

const postKey = (chatId: string, userId: string) => `${chatId}:${userId}`;

/** Assigns seqs to the new sends and builds the statements that store them; queues their live frames. */
function planBatch(sends: PreparedSend[], heads: Map<string, ChatHead>, stored: Map<string, MessageRow>, lastPosts: Map<string, Date>, live: LiveOutbox) {
  const now = new Date();
  const fresh: MessageRow[] = [];
  const freshKeys = new Set<string>();
  const outcomes: (Outcome | { sameAs: string })[] = [];
  const views = new Map<string, { view: Message; json: string }>();

  for (const send of sends) {
    const key = keyOf(send.message);
    const existing = stored.get(key);
    if (existing) {
      outcomes.push(freshKeys.has(key) ? { sameAs: key } : { result: { message: toMessage(existing), created: false } });
      continue;
    }
    const wait = slowModeWait(send, lastPosts, now);
    if (wait > 0) {
      outcomes.push({ error: new RateLimitedError(wait, 'slow mode: wait before posting again', 'slow_mode') });
      continue;
    }
    const head = heads.get(send.message.chatId)!;
    head.lastSeq += 1;
    const row = newRow(send.message, head.lastSeq, now);
    fresh.push(row);
    freshKeys.add(key);
    stored.set(key, row);
    lastPosts.set(postKey(row.chatId, row.senderId), now);
    const view = toMessage(row);
    const json = JSON.stringify(view);
    views.set(row.id, { view, json });
    outcomes.push({ result: { message: view, created: true, json } });
  }

  const writes = fresh.length > 0 ? freshWrites(live, fresh, views, [...heads.values()], now) : [];
  const result: Outcome[] = outcomes.map((o) => ('sameAs' in o ? { result: { message: toMessage(stored.get(o.sameAs)!), created: false } } : o));
  return { writes, result };
}

/** The stored row of a new message, every field written out (no spread): one object shape for every send. */
function newRow(m: PreparedSend['message'], seq: number, now: Date): MessageRow {
  return {
    chatId: m.chatId,
    seq,
    id: m.id,
    appId: m.appId,
    senderId: m.senderId,
    clientMessageId: m.clientMessageId,
    type: m.type,
    text: m.text,
    attachments: m.attachments,
    replyToId: m.replyToId,
    threadRootId: m.threadRootId,
    quotedMessageId: m.quotedMessageId,
    mentions: m.mentions,
    silent: m.silent,
    forwardedFrom: m.forwardedFrom,
    location: m.location,
    contact: m.contact,
    poll: m.poll,
    visibleTo: m.visibleTo,
    replyCount: 0,
    lastReplyAt: null,
    pinnedAt: null,
    pinnedBy: null,
    editedAt: null,
    deletedAt: null,
    createdAt: now,
  };
}

function freshWrites(live: LiveOutbox, fresh: MessageRow[], views: Map<string, { view: Message; json: string }>, heads: ChatHead[], now: Date): Statement[] {
  const replies = fresh.filter((m) => m.threadRootId).map((m) => ({ chatId: m.chatId, rootId: m.threadRootId! }));
  const createdAt = now.toISOString();
  const events: NewLogEvent[] = fresh.map((m) => {
    const { view, json } = views.get(m.id)!;
    return {
      chatId: m.chatId,
      seq: m.seq,
      type: 'message.created',
      actorId: m.senderId,
      messageId: m.id,
      visibleTo: m.visibleTo,
      sourceId: null,
      data: { message: view },
      dataJson: new JsonText(`{"message":${json}}`),
      createdAt: now,
    };
  });
  for (const e of events) live.logEvent(e.chatId, { seq: e.seq, type: e.type, createdAt, actorId: e.actorId, data: e.data }, e.visibleTo, e.dataJson);
  return [
    insertMessagesStatement(fresh),
    ...(replies.length > 0 ? [countRepliesStatement(replies, now)] : []),
    insertEventsStatement(events),
    setLastSeqsStatement(heads),
    notePostsStatement(fresh.map((m) => ({ chatId: m.chatId, appId: m.appId, userId: m.senderId, seq: m.seq, at: now }))),
    eventBatchStatement(
      messageEvents.created,
      fresh.map((m) => ({ appId: m.appId, data: new JsonText(`{"message":${views.get(m.id)!.json},"visibleTo":${JSON.stringify(m.visibleTo)}}`) })),
    ),
  ];
}

/** Seconds the sender still has to wait under slow mode (0: may post); `lastPosts` includes this batch's posts. */
function slowModeWait(send: PreparedSend, lastPosts: Map<string, Date>, now: Date): number {
  if (send.slowModeSeconds <= 0) return 0;
  const last = lastPosts.get(postKey(send.message.chatId, send.message.senderId));
  if (!last) return 0;
  const waitMs = last.getTime() + send.slowModeSeconds * 1000 - now.getTime();
  return waitMs > 0 ? Math.ceil(waitMs / 1000) : 0;
}
