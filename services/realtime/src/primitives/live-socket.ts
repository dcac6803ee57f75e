import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import type { UserEntry } from './user-entry.js';

export const SocketState = {
  /** Open, waiting for a token (header or first `auth` frame). */
  AwaitingAuth: 0,
  /** Token being checked, membership being loaded. */
  Authenticating: 1,
  Ready: 2,
  /** Close requested by the server; nothing more is sent. */
  Closing: 3,
} as const;
export type SocketState = (typeof SocketState)[keyof typeof SocketState];

/** Seqs of one chat this socket was sent, contiguously, from `start` to `end` (empty when `start > end`). */
export interface SentRun {
  start: number;
  end: number;
}

/** A log event (its ready-made frame) held back while its chat is replayed. */
export interface HeldEvent {
  seq: number;
  frame: Buffer;
}

/**
 * A client socket with its session state as plain fields (no per-socket closures or timers while
 * idle: the node's sweeps and shared listeners do the work), so an idle socket stays small.
 */
export class LiveSocket extends WebSocket {
  state: SocketState = SocketState.AwaitingAuth;
  connectionId = '';
  userId = '';
  appId = '';
  sessionId = '';
  user: UserEntry | undefined = undefined;
  openedAt = 0;
  lastSeenAt = 0;
  /** When the access token the socket runs on expires (epoch ms, 0: none); the sweep closes it then. */
  expiresAt = 0;
  /** Sent an op other than ping since the last presence heartbeat. */
  active = false;
  /** Holds a slot in the user's connection count. */
  counted = false;
  /** Reported to presence as connected (so its close is reported too). */
  announced = false;
  tokens = 0;
  tokensAt = 0;
  strikes = 0;
  /** Frames that arrived before `ready`, handled once it is sent. */
  early: Buffer[] | undefined = undefined;
  runs: Map<string, SentRun> | undefined = undefined;
  /** Chats being replayed by a sync, with the live log events held back meanwhile. */
  replaying: Map<string, HeldEvent[]> | undefined = undefined;
  syncTail: Promise<void> | undefined = undefined;
  watching: Set<string> | undefined = undefined;
  /** Users a block between this socket's user and them ended the watch of, with the node's block count then. */
  barred: Map<string, number> | undefined = undefined;
  /** The client address an unauthenticated socket is counted under (undefined once it no longer counts). */
  pendingFrom: string | undefined = undefined;
  /** Which of the node's presence heartbeat slices renews this socket. */
  heartbeatSlice = 0;
  /** Corked until the end of this turn of the event loop (see `Delivery`). */
  held = false;

  /** The connection under the WebSocket (ws keeps it as `_socket`). */
  get stream(): Duplex {
    return (this as unknown as { _socket: Duplex })._socket;
  }

  /**
   * Writes a ready-made frame (`textFrame`) to the connection, behind whatever ws wrote before it.
   * ws writes its own frames straight to the same stream (no compression, no blobs here), so the
   * order holds, and `bufferedAmount` counts these bytes too.
   */
  writeFrame(frame: Buffer): void {
    this.stream.write(frame);
  }
}
