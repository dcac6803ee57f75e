import type { Chat, ClientOp, ClientOpName, Message, SyncAck, opAcks, z } from '@chat/contracts';
import { backoffDelay, sleep } from './backoff.js';
import { ChatLog } from './chat-log.js';
import { Connection, type PreviousSocket } from './connection.js';
import { Emitter } from './emitter.js';
import { RequestError, isRetryable, retryAfterMs } from './errors.js';
import { newClientMessageId } from './ids.js';
import { type NewMessage, RestClient, type RestClientOptions } from './rest-client.js';
import { Timelines } from './timeline.js';
import {
  type ChatEvent,
  type ClientStats,
  type ConnectionState,
  type EphemeralEvent,
  type ReadyData,
  type ServerFrame,
  type StateDetail,
  WS_OPEN,
  type WebSocketConstructor,
  type WebSocketLike,
} from './types.js';
import { UnreadCounts } from './unread.js';

export interface ChatClientOptions extends RestClientOptions {
  /** Share a REST client (and its tokens) instead of building one from these options. */
  rest?: RestClient;
  /** Defaults to `globalThis.WebSocket` (the `@chat/client/node` entry defaults to the `ws` package). */
  WebSocket?: WebSocketConstructor;
  /** `header`: the token on the upgrade request (Node); `frame`: an `auth` first frame (browsers). */
  authMode?: 'header' | 'frame';
  /**
   * A fixed WebSocket URL. Unset: before every socket the client asks `GET /api/v1/realtime` for
   * the least busy realtime node and connects to it directly (delivered frames then skip the
   * gateway), moving to another node after one went away; when none is listed or the question
   * fails, it uses the gateway's `/ws` (`<baseUrl>/ws`, http(s) turned into ws(s)).
   */
  wsUrl?: string;
  /** Track every chat of the user (from `GET /chats` at connect, and each `chat.added`). */
  trackAll?: boolean;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  sendRetryMinMs?: number;
  sendRetryMaxMs?: number;
  maxSendAttempts?: number;
  /** Send over REST while the socket is not ready, instead of waiting for it. */
  sendOverRestWhileDisconnected?: boolean;
  /** Events per `GET /chats/:id/events` page when catching up (1–1000). */
  eventsPageLimit?: number;
}

export interface ChatClientEvents {
  /** Every chat-log event of a tracked chat, once per seq, in seq order. */
  event: (event: ChatEvent) => void;
  /** Events without a seq: typing, presence, `unread.updated`, `chat.added`, … */
  ephemeral: (event: EphemeralEvent) => void;
  /** Every frame as it arrived (parsed, and the raw text). */
  frame: (frame: ServerFrame, raw: string) => void;
  state: (state: ConnectionState, detail: StateDetail) => void;
  unread: (chatId: string, count: number) => void;
  /** A background step failed (it is retried): a catch-up page, an automatic refresh. */
  error: (error: unknown) => void;
}

export type AckOf<O extends ClientOpName> = O extends keyof typeof opAcks ? z.output<(typeof opAcks)[O]> : Record<string, unknown>;

/** The most chats one `sync` may name (`SYNC_CHATS_MAX`). */
const SYNC_BATCH = 1000;

export const wsUrlOf = (baseUrl: string) => `${baseUrl.replace(/\/+$/, '').replace(/^http/, 'ws')}/ws`;

/**
 * A realtime chat client: one connection kept alive across drops, per-chat ordered and
 * de-duplicated event streams, timelines, unread counts, and sends retried until acknowledged.
 */
export class ChatClient {
  readonly rest: RestClient;
  readonly stats: ClientStats = { framesReceived: 0, eventsShown: 0, duplicatesDropped: 0, gapsFilled: 0, reconnects: 0, syncs: 0, sendRetries: 0 };
  private readonly emitter = new Emitter<ChatClientEvents>();
  private readonly connection: Connection;
  private readonly log: ChatLog;
  private readonly timelines = new Timelines();
  private readonly unreads = new UnreadCounts();
  private closed = false;
  private listed = false;

  constructor(private readonly options: ChatClientOptions) {
    this.rest = options.rest ?? new RestClient(options);
    const WebSocket = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!WebSocket) throw new Error('no WebSocket available: pass options.WebSocket (or use @chat/client/node)');
    const reconnectMinMs = options.reconnectMinMs ?? 250;
    const reconnectMaxMs = options.reconnectMaxMs ?? 15_000;
    this.connection = new Connection(
      {
        url: options.wsUrl ?? ((previous) => this.realtimeUrl(previous)),
        WebSocket,
        authMode: options.authMode ?? 'frame',
        accessToken: () => this.rest.tokens?.accessToken,
        refresh: () => (this.rest.tokens?.refreshToken ? this.rest.refresh() : undefined),
        reconnectMinMs,
        reconnectMaxMs,
        connectTimeoutMs: options.connectTimeoutMs ?? 15_000,
        requestTimeoutMs: this.requestTimeoutMs,
      },
      {
        opened: () => this.syncAll(),
        frame: (frame, raw) => this.emitter.emit('frame', frame, raw),
        event: (event) => (typeof event.seq === 'number' && event.chatId ? this.log.receive(event as ChatEvent) : this.ephemeral(event)),
        state: (state, detail) => this.emitter.emit('state', state, detail),
      },
      this.stats,
    );
    this.log = new ChatLog({
      events: (chatId, after) => this.rest.events(chatId, { after, limit: options.eventsPageLimit ?? 1000 }),
      show: (event) => this.show(event),
      lost: (chatId) => this.emitter.emit('ephemeral', { op: 'event', t: 'chat.removed', chatId, d: { chatId } }),
      failed: (err) => this.emitter.emit('error', err),
      retryDelay: (attempt) => backoffDelay(attempt, reconnectMinMs, reconnectMaxMs),
      stats: this.stats,
    });
  }

  /** Where the current socket was opened (a realtime node, or the gateway's `/ws`). */
  get socketUrl(): string | undefined {
    return this.connection.url;
  }

  /** The least busy realtime node, not the one whose socket just went away unless it is the only one; else the gateway. */
  private async realtimeUrl(previous: PreviousSocket | undefined): Promise<string> {
    const gateway = wsUrlOf(this.rest.baseUrl);
    try {
      const urls = (await this.rest.realtimeEndpoints()).nodes.map((n) => n.url);
      const wentAway = previous && previous.code !== undefined && previous.code !== 1000 ? previous.url : undefined;
      return urls.find((u) => u !== wentAway) ?? urls[0] ?? gateway;
    } catch {
      return gateway;
    }
  }

  on<K extends keyof ChatClientEvents>(name: K, listener: ChatClientEvents[K]): () => void {
    return this.emitter.on(name, listener);
  }

  off<K extends keyof ChatClientEvents>(name: K, listener: ChatClientEvents[K]): void {
    this.emitter.off(name, listener);
  }

  /** Connects (with `trackAll`, after loading the chat list); resolves at the first `ready`. */
  async connect(): Promise<ReadyData> {
    this.closed = false;
    this.log.setActive(true);
    if (this.options.trackAll && !this.listed) {
      const chats = [...(await this.rest.listAllChats()), ...(await this.rest.listAllChats({ archived: true }))];
      for (const chat of chats) this.adopt(chat, chat.lastSeq);
      this.listed = true;
    }
    return this.connection.start();
  }

  /** Closes the connection for good; waiting sends and requests fail with `client_closed`. */
  close(): void {
    this.closed = true;
    this.connection.stop();
    this.log.setActive(false);
  }

  get state(): ConnectionState {
    return this.connection.state;
  }

  /** The signed-in user's id (known from the first `ready` on). */
  get userId(): string | undefined {
    return this.connection.readyData?.userId;
  }

  /** The current socket, for tools (e.g. a drill's `terminate()`). */
  get socket(): WebSocketLike | undefined {
    return this.connection.socket;
  }

  /** Drops the socket as a network failure would; the client reconnects and syncs. */
  dropConnection(): void {
    this.connection.drop();
  }

  /**
   * Follows a chat's log after `afterSeq`: its events are shown in order from there on. On a
   * connected socket the chat catches up over REST at once; otherwise the next `sync` covers it.
   */
  track(chatId: string, afterSeq = 0): void {
    if (!this.log.track(chatId, afterSeq)) return;
    if (this.connection.socket?.readyState === WS_OPEN) this.log.fill(chatId);
  }

  untrack(chatId: string): void {
    this.log.untrack(chatId);
  }

  /** The highest seq up to which the chat's log is held, or undefined when it is not tracked. */
  cursor(chatId: string): number | undefined {
    return this.log.cursor(chatId);
  }

  trackedChats(): Record<string, number> {
    return this.log.cursors();
  }

  /** The chat's messages in seq order, with edits, deletes, reactions and pins applied (a copy). */
  timeline(chatId: string): Message[] {
    return this.timelines.list(chatId);
  }

  /** Loads up to `limit` messages older than the oldest held into the timeline. */
  async loadOlder(chatId: string, limit = 50): Promise<Message[]> {
    const oldest = this.timelines.list(chatId)[0]?.seq ?? (this.log.cursor(chatId) ?? 0) + 1;
    const page = await this.rest.history(chatId, { before: oldest, limit });
    this.timelines.merge(chatId, page.data);
    return page.data;
  }

  unread(chatId: string): number {
    return this.unreads.get(chatId);
  }

  unreadTotal(): number {
    return this.unreads.total();
  }

  /** Reads the counts from `GET /chats/unread` (chats not listed there have nothing unread). */
  async refreshUnread(): Promise<Record<string, number>> {
    const summary = await this.rest.unread();
    const listed = new Map(summary.chats.map((c) => [c.chatId, c.unreadCount]));
    for (const chatId of new Set([...Object.keys(this.unreads.all()), ...listed.keys()])) this.setUnread(chatId, listed.get(chatId) ?? 0);
    return this.unreads.all();
  }

  /**
   * Sends a message: over the socket once it is ready, repeated with the same `clientMessageId`
   * after a timeout, a dropped socket, `rate_limited`, `unavailable` or a server error, until
   * acknowledged. Resolves with the committed message; rejects on any other error (forbidden,
   * validation, …) or when the client is closed.
   */
  async send(chatId: string, body: NewMessage): Promise<Message> {
    const clientMessageId = body.clientMessageId ?? newClientMessageId();
    const maxAttempts = this.options.maxSendAttempts ?? Number.POSITIVE_INFINITY;
    for (let attempt = 0; ; attempt++) {
      try {
        if (this.options.sendOverRestWhileDisconnected && this.connection.state !== 'ready') {
          return await this.rest.sendMessage(chatId, { ...body, clientMessageId });
        }
        const ack = await this.request('message.send', { ...body, chatId, clientMessageId } as ClientOp<'message.send'>['d']);
        return ack.message;
      } catch (err) {
        if (this.closed || !isRetryable(err) || attempt + 1 >= maxAttempts) throw err;
        this.stats.sendRetries += 1;
        // Not sooner than the server asked (a refusal for load says when).
        await sleep(Math.max(retryAfterMs(err), backoffDelay(attempt, this.options.sendRetryMinMs ?? 200, this.options.sendRetryMaxMs ?? 5000)));
      }
    }
  }

  /** Any op of the protocol: resolves with its ack's `d`, rejects with a `RequestError` (waits for `ready`). */
  request<O extends ClientOpName>(op: O, d: ClientOp<O>['d'], timeoutMs = this.requestTimeoutMs): Promise<AckOf<O>> {
    return this.connection.request(op, d, timeoutMs) as Promise<AckOf<O>>;
  }

  /** Marks the chat read up to `seq` (default: everything held); the server answers with `unread.updated`. */
  async markRead(chatId: string, seq = this.log.cursor(chatId) ?? 0): Promise<void> {
    await this.request('read', { chatId, seq });
  }

  async edit(messageId: string, text: string): Promise<Message> {
    return (await this.request('message.edit', { messageId, text })).message;
  }

  async deleteMessage(messageId: string, scope: 'me' | 'everyone' = 'everyone'): Promise<void> {
    await this.request('message.delete', { messageId, for: scope });
  }

  async react(messageId: string, emoji: string, add = true): Promise<void> {
    await this.request(add ? 'reaction.add' : 'reaction.remove', { messageId, emoji });
  }

  private get requestTimeoutMs(): number {
    return this.options.requestTimeoutMs ?? 10_000;
  }

  /** Right after a socket opens: one `sync` per 1000 tracked chats, with the cursors held. */
  private syncAll(): void {
    const ids = Object.keys(this.log.cursors());
    for (let i = 0; i < ids.length; i += SYNC_BATCH) {
      const batch = ids.slice(i, i + SYNC_BATCH);
      const chats = Object.fromEntries(batch.map((id) => [id, this.log.cursor(id) ?? 0]));
      this.log.syncSent(batch);
      this.stats.syncs += 1;
      // A big replay takes a while: more time than an ordinary request.
      this.connection.request('sync', { chats }, this.requestTimeoutMs * 3, true).then(
        (ack) => {
          for (const id of batch) this.log.syncAnswered(id, (ack as SyncAck).chats[id]);
        },
        (err: unknown) => this.log.syncFailed(batch, !(err instanceof RequestError && err.code === 'disconnected') && this.connection.socket !== undefined),
      );
    }
  }

  private show(event: ChatEvent): void {
    this.stats.eventsShown += 1;
    this.timelines.apply(event, this.userId);
    if (event.t === 'message.created') {
      const message = event.d.message as Message;
      if (this.unreads.messageShown(event.chatId, event.seq, message.senderId === this.userId))
        this.emitter.emit('unread', event.chatId, this.unreads.get(event.chatId));
    }
    this.emitter.emit('event', event);
  }

  private ephemeral(event: EphemeralEvent): void {
    const chatId = event.chatId;
    if (event.t === 'chat.added' && this.options.trackAll) this.adopt(event.d.chat as Chat, 0);
    else if (event.t === 'chat.removed' && chatId) this.log.untrack(chatId);
    else if (event.t === 'unread.updated' && chatId) this.setUnread(chatId, Number(event.d.unreadCount));
    else if (event.t === 'message.deleted' && chatId && typeof event.d.messageId === 'string') this.timelines.remove(chatId, event.d.messageId);
    this.emitter.emit('ephemeral', event);
  }

  /** Tracks a chat from the list or a `chat.added`, taking its unread count as of its `lastSeq`. */
  private adopt(chat: Chat, afterSeq: number): void {
    this.track(chat.id, afterSeq);
    if (this.unreads.set(chat.id, chat.unreadCount, chat.lastSeq)) this.emitter.emit('unread', chat.id, chat.unreadCount);
  }

  private setUnread(chatId: string, count: number): void {
    if (this.unreads.set(chatId, count, this.log.cursor(chatId) ?? Number.MAX_SAFE_INTEGER)) this.emitter.emit('unread', chatId, count);
  }
}
