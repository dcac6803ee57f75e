import type { RealtimeDeps } from '../deps.js';
import type { Delivery } from '../primitives/delivery.js';
import type { LiveSocket } from '../primitives/live-socket.js';
import { ChatSequencer, type LogFrame } from './sequencer.js';
import { textFrame } from '../primitives/wire-frame.js';
import { Topics } from './topics.js';
import { type UserEntry, Users } from './users.js';

/** The fields of a live frame the node looks at; the bytes themselves are forwarded untouched. */
interface FrameHead {
  t: string;
  chatId?: string;
  seq?: number;
  d?: Record<string, unknown>;
}

function readHead(data: Uint8Array): FrameHead | undefined {
  try {
    const frame = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8')) as FrameHead;
    return frame && typeof frame.t === 'string' ? frame : undefined;
  } catch {
    return undefined;
  }
}

const presenceKey = (appId: string, userId: string) => `${appId}.${userId}`;
const isSeq = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const LEAVING = new Set(['member.left', 'member.removed']);

/**
 * Interest-based fan-out: one `rt.chat.<id>` subscription per chat with a local member, one
 * `rt.user.<id>` per local user, one `rt.presence.<appId>.<id>` per user watched by a local socket.
 */
export class Hub {
  readonly users: Users;
  readonly chats: Topics<UserEntry>;
  readonly userTopics: Topics<UserEntry>;
  readonly presence: Topics<LiveSocket>;
  private readonly sequencer: ChatSequencer<FrameHead>;
  private blocks = 0;

  constructor(
    private readonly deps: RealtimeDeps,
    private readonly delivery: Delivery,
  ) {
    this.sequencer = new ChatSequencer(deps.config.WS_REORDER_WINDOW_MS, (chatId, frame) => this.deliverLog(chatId, frame));
    this.chats = new Topics(
      deps.bus,
      'rt.chat.',
      (chatId, entries, data) => this.onChatFrame(chatId, entries, data),
      (chatId) => this.sequencer.forget(chatId),
    );
    this.userTopics = new Topics(deps.bus, 'rt.user.', (_userId, entries, data) => this.onUserFrame(entries, data));
    // Keyed `<appId>.<userId>`: a socket can only ever subscribe within its own app.
    this.presence = new Topics(deps.bus, 'rt.presence.', (_key, sockets, data) => this.onPresenceFrame(sockets, data));
    this.users = new Users(deps, this.chats, this.userTopics);
  }

  private received(kind: string, raw: Uint8Array): { frame: Buffer; head: FrameHead | undefined } {
    this.deps.metrics.eventsIn.inc({ kind });
    const head = readHead(raw);
    if (!head) this.deps.logger.warn('live frame is not a protocol event', { kind });
    // Framed once per node (a copy: the NATS read buffer is not ours to keep); every socket gets these bytes.
    return { frame: textFrame(raw), head };
  }

  private onChatFrame(chatId: string, entries: Set<UserEntry>, raw: Uint8Array): void {
    const { frame, head } = this.received('chat', raw);
    if (!head) return;
    if (!isSeq(head.seq)) {
      const typist = head.t === 'typing' ? head.d?.userId : undefined;
      for (const entry of entries) {
        if (entry.userId === typist || entry.suspended?.has(chatId)) continue;
        for (const sock of entry.sockets) this.delivery.event(sock, frame);
      }
      return;
    }
    this.sequencer.push(chatId, { seq: head.seq, frame, head });
  }

  private deliverLog(chatId: string, { seq, frame, head }: LogFrame<FrameHead>): void {
    const entries = this.chats.receivers(chatId);
    if (!entries) return;
    const subject = typeof head.d?.userId === 'string' ? head.d.userId : undefined;
    for (const entry of entries) {
      if (entry.userId === subject && head.t === 'member.joined') this.users.resume(entry, chatId);
      if (entry.suspended?.has(chatId)) continue;
      for (const sock of entry.sockets) this.delivery.logEvent(sock, chatId, seq, frame);
      // Events after the user's own removal, in the chat's own order, are not theirs to see.
      if (entry.userId === subject && LEAVING.has(head.t)) this.users.suspend(entry, chatId);
    }
  }

  private onUserFrame(entries: Set<UserEntry>, raw: Uint8Array): void {
    const { frame, head } = this.received('user', raw);
    if (!head) return;
    for (const entry of entries) {
      if (head.t === 'chat.added' || head.t === 'chat.removed') {
        const chatId = head.chatId ?? (head.d?.chatId as string | undefined) ?? (head.d?.chat as { id?: string } | undefined)?.id;
        if (typeof chatId === 'string') this.users.membershipChanged(entry, chatId, head.t === 'chat.added');
      }
      for (const sock of entry.sockets) {
        if (head.chatId && isSeq(head.seq)) this.delivery.logEvent(sock, head.chatId, head.seq, frame);
        else this.delivery.event(sock, frame);
      }
    }
  }

  private onPresenceFrame(sockets: Set<LiveSocket>, raw: Uint8Array): void {
    const { frame, head } = this.received('presence', raw);
    if (!head) return;
    for (const sock of sockets) this.delivery.event(sock, frame);
  }

  /** Starts forwarding the users' presence to the socket (users of the socket's own app only: the subject says so). */
  watch(sock: LiveSocket, userIds: string[]): void {
    const watching = (sock.watching ??= new Set());
    for (const id of userIds) {
      if (watching.has(id)) continue;
      watching.add(id);
      this.presence.add(presenceKey(sock.appId, id), sock);
    }
  }

  unwatch(sock: LiveSocket, userIds: Iterable<string>): void {
    if (!sock.watching) return;
    for (const id of [...userIds]) {
      if (!sock.watching.delete(id)) continue;
      this.presence.remove(presenceKey(sock.appId, id), sock);
    }
    if (sock.watching.size === 0) sock.watching = undefined;
  }

  /** How many blocks this node has applied: a watch asked for before a block it missed must not outlive it. */
  get blocksSeen(): number {
    return this.blocks;
  }

  /**
   * One of the two users blocked the other: each one's local sockets stop watching the other at
   * once and are told the other is offline (as a new subscribe would answer). Nothing restores the
   * watch; after an unblock the client subscribes again.
   */
  severPresence(appId: string, a: string, b: string): void {
    this.blocks += 1;
    for (const [viewer, watched] of [
      [a, b],
      [b, a],
    ] as const) {
      const entry = this.users.entries.get(viewer);
      if (!entry || entry.appId !== appId) continue;
      for (const sock of entry.sockets) {
        (sock.barred ??= new Map()).set(watched, this.blocks);
        if (!sock.watching?.has(watched)) continue;
        this.unwatch(sock, [watched]);
        this.delivery.frame(sock, { op: 'event', t: 'presence', d: { userId: watched, status: 'offline' } });
      }
    }
  }

  /** The socket is gone: nothing more for it anywhere. */
  forget(sock: LiveSocket): void {
    if (sock.watching) this.unwatch(sock, sock.watching);
    this.users.leave(sock);
  }

  sizes() {
    return { chat: this.chats.size, user: this.userTopics.size, presence: this.presence.size };
  }

  clear(): void {
    this.users.clear();
    this.presence.clear();
  }
}
