import type { LiveSocket } from './live-socket.js';

/** A user with at least one socket on this node: the chats they belong to, shared by their sockets. */
export interface UserEntry {
  userId: string;
  appId: string;
  /** Ready sockets (and those about to be). */
  sockets: Set<LiveSocket>;
  chats: Set<string>;
  /** Chats whose log said the user left or was removed: nothing more is delivered from them until the log says they joined again. */
  suspended: Set<string> | undefined;
  /** Membership changes that arrived while the chat list was loading; applied once it is loaded. */
  queued: { added: boolean; chatId: string }[] | undefined;
  loading: Promise<void>;
}
