import { type ChatAction, type ChatAuthorization, EventEnvelope, chatRpcs } from '@chat/contracts';
import { AppError, type Bus, ForbiddenError, NotFoundError, callRpc } from '@chat/service-kit';
import type { Subscription } from '@nats-io/transport-node';

interface Entry {
  at: number;
  /** The chat's generation when asked: an answer asked before a change is never reused after it. */
  generation: number;
  answer: Promise<ChatAuthorization>;
  /** Age past which a use asks again in the background (set per entry, see `refreshAfter`). */
  refreshAfterMs: number;
  refreshing: boolean;
}

/**
 * When a used answer is asked again: somewhere between half and nine tenths of its lifetime.
 * Answers made together (a busy node's first minute, a reconnect) would otherwise all expire
 * together, and every send of that moment would wait for the chat service at once.
 */
const refreshAfter = (ttlMs: number) => ttlMs * (0.5 + Math.random() * 0.4);

type Question = { appId: string; chatId: string; userId: string; action: ChatAction };

/**
 * Answers of `rpc.chat.authorize`, reused for a while. Every replica listens to the chat service's
 * events (a plain subscription, no durable) and forgets a chat's answers the moment its
 * membership, roles, bans or state change, so a removed member is refused at once. A plain
 * subscription misses what is published while the connection is down, so every answer is
 * forgotten when the connection drops; the time limit covers a chat service whose events are late.
 * An answer in use is asked again before it expires, in the background: a busy chat's sends never
 * wait for the chat service, and the answer they get is never older than the time limit.
 */
export class ChatAccess {
  private readonly cache = new Map<string, Entry>();
  private readonly generations = new Map<string, number>();
  private subscription: Subscription | undefined;

  constructor(
    private readonly bus: Bus,
    private readonly ttlMs: number,
    private readonly rpcTimeoutMs: number,
  ) {}

  start(): void {
    const { bus } = this;
    this.subscription = bus.nc.subscribe(`${bus.prefix}evt.chat.>`, {
      callback: (_err, msg) => {
        const envelope = EventEnvelope.safeParse(safeJson(() => msg.json()));
        if (!envelope.success) return;
        const data = envelope.data.data as { chatId?: unknown; chat?: { id?: unknown } };
        const chatId = typeof data.chatId === 'string' ? data.chatId : data.chat?.id;
        if (typeof chatId === 'string') this.forgetChat(chatId);
      },
    });
    // Ends with the connection.
    void (async () => {
      for await (const status of bus.nc.status()) if (status.type === 'disconnect' || status.type === 'reconnect') this.forgetAll();
    })();
  }

  stop(): void {
    this.subscription?.unsubscribe();
  }

  forgetAll(): void {
    this.cache.clear();
    this.generations.clear();
  }

  forgetChat(chatId: string): void {
    this.generations.set(chatId, (this.generations.get(chatId) ?? 0) + 1);
    if (this.generations.size > 100_000) this.forgetAll();
  }

  authorize(appId: string, chatId: string, userId: string, action: ChatAction): Promise<ChatAuthorization> {
    const key = `${chatId}:${userId}:${action}:${appId}`;
    const now = Date.now();
    const generation = this.generations.get(chatId) ?? 0;
    const hit = this.cache.get(key);
    if (hit && now - hit.at < this.ttlMs && hit.generation === generation) {
      if (now - hit.at >= hit.refreshAfterMs && !hit.refreshing) this.refresh(key, hit, { appId, chatId, userId, action });
      return hit.answer;
    }
    const answer = this.ask({ appId, chatId, userId, action });
    if (this.ttlMs > 0) {
      this.cache.set(key, { at: now, generation, answer, refreshAfterMs: refreshAfter(this.ttlMs), refreshing: false });
      answer.catch(() => this.cache.delete(key));
      if (this.cache.size > 100_000) this.cache.delete(this.cache.keys().next().value!);
    }
    return answer;
  }

  private ask(question: Question): Promise<ChatAuthorization> {
    return callRpc(this.bus, chatRpcs.authorize, question, this.rpcTimeoutMs);
  }

  /**
   * Asks again for an answer in use. The new answer keeps the generation of the one it replaces:
   * if the chat changed meanwhile, it is never used.
   */
  private refresh(key: string, hit: Entry, question: Question): void {
    hit.refreshing = true;
    const at = Date.now();
    this.ask(question).then(
      (answer) => {
        if (this.cache.get(key) !== hit) return;
        this.cache.set(key, { at, generation: hit.generation, answer: Promise.resolve(answer), refreshAfterMs: refreshAfter(this.ttlMs), refreshing: false });
      },
      // The answer in hand stays until it expires; the next use after that asks in the foreground.
      () => undefined,
    );
  }

  /** The authorization when allowed; otherwise the error the caller gets (404 hides the chat from outsiders). */
  async require(appId: string, chatId: string, userId: string, action: ChatAction): Promise<ChatAuthorization> {
    const answer = await this.authorize(appId, chatId, userId, action);
    if (answer.allowed) return answer;
    throw denialError(answer, action);
  }
}

export function denialError(answer: ChatAuthorization, action: ChatAction): AppError {
  switch (answer.denial) {
    case 'banned':
      return action === 'post' ? new ForbiddenError('you are banned from this chat', 'banned') : new NotFoundError('chat not found');
    case 'chat_frozen':
      return new ForbiddenError('the chat is frozen', 'chat_frozen');
    case 'forbidden':
      return new ForbiddenError('your role does not allow this');
    default:
      return new NotFoundError('chat not found');
  }
}

function safeJson(read: () => unknown): unknown {
  try {
    return read();
  } catch {
    return undefined;
  }
}
