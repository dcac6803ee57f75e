import { chatRpcs } from '@chat/contracts';
import { callRpc } from '@chat/service-kit';
import type { RealtimeDeps } from '../deps.js';
import type { LiveSocket } from '../primitives/live-socket.js';
import type { UserEntry } from '../primitives/user-entry.js';
import type { Topics } from './topics.js';

export type { UserEntry };

const USER_CHATS_PAGE = 1000;

/**
 * The node's users and their chat subscriptions. `rt.user.<id>` is subscribed before the chat list
 * is read, so a membership change racing the read is queued and applied after it, never lost.
 */
export class Users {
  readonly entries = new Map<string, UserEntry>();

  constructor(
    private readonly deps: RealtimeDeps,
    private readonly chatTopics: Topics<UserEntry>,
    private readonly userTopics: Topics<UserEntry>,
  ) {}

  /** Adds the socket to its user's entry, loading the user's chats first if it is new here. */
  async join(sock: LiveSocket): Promise<void> {
    for (;;) {
      let entry = this.entries.get(sock.userId);
      if (!entry) entry = this.open(sock.userId, sock.appId);
      await entry.loading;
      // The entry may have been dropped while this socket waited (its last socket left).
      if (this.entries.get(sock.userId) !== entry) continue;
      entry.sockets.add(sock);
      sock.user = entry;
      return;
    }
  }

  leave(sock: LiveSocket): void {
    const entry = sock.user;
    if (!entry) return;
    sock.user = undefined;
    entry.sockets.delete(sock);
    if (entry.sockets.size === 0 && this.entries.get(entry.userId) === entry) this.drop(entry);
  }

  /** Applies a membership change from `rt.user.<id>` (`chat.added` / `chat.removed`). */
  membershipChanged(entry: UserEntry, chatId: string, added: boolean): void {
    if (entry.queued) {
      entry.queued.push({ added, chatId });
      return;
    }
    if (added) this.addChat(entry, chatId);
    else this.removeChat(entry, chatId);
  }

  private open(userId: string, appId: string): UserEntry {
    const entry: UserEntry = { userId, appId, sockets: new Set(), chats: new Set(), suspended: undefined, queued: [], loading: Promise.resolve() };
    this.entries.set(userId, entry);
    this.userTopics.add(userId, entry);
    entry.loading = this.load(entry).catch((err: unknown) => {
      if (this.entries.get(userId) === entry) this.drop(entry);
      throw err;
    });
    return entry;
  }

  private async load(entry: UserEntry): Promise<void> {
    const { bus, config } = this.deps;
    let after: string | undefined;
    do {
      const page = await callRpc(bus, chatRpcs.userChats, { appId: entry.appId, userId: entry.userId, after, limit: USER_CHATS_PAGE }, config.RPC_TIMEOUT_MS);
      for (const chatId of page.chatIds) this.addChat(entry, chatId);
      after = page.nextAfter ?? undefined;
    } while (after);
    const queued = entry.queued ?? [];
    entry.queued = undefined;
    for (const change of queued) this.membershipChanged(entry, change.chatId, change.added);
    // The subscriptions are live at the server before the socket is told it is ready.
    await bus.nc.flush();
  }

  private addChat(entry: UserEntry, chatId: string): void {
    entry.suspended?.delete(chatId);
    if (entry.chats.has(chatId)) return;
    entry.chats.add(chatId);
    this.chatTopics.add(chatId, entry);
  }

  private removeChat(entry: UserEntry, chatId: string): void {
    entry.suspended?.delete(chatId);
    if (!entry.chats.delete(chatId)) return;
    this.chatTopics.remove(chatId, entry);
    for (const sock of entry.sockets) sock.runs?.delete(chatId);
  }

  /** The chat's log said the user left or was removed: hold its events back until `chat.removed` or a new join. */
  suspend(entry: UserEntry, chatId: string): void {
    (entry.suspended ??= new Set()).add(chatId);
  }

  resume(entry: UserEntry, chatId: string): void {
    entry.suspended?.delete(chatId);
  }

  private drop(entry: UserEntry): void {
    this.entries.delete(entry.userId);
    for (const chatId of entry.chats) this.chatTopics.remove(chatId, entry);
    entry.chats.clear();
    this.userTopics.remove(entry.userId, entry);
  }

  /** Drops every user (node shutdown). */
  clear(): void {
    for (const entry of [...this.entries.values()]) this.drop(entry);
  }
}
