import type { AckFrame, ErrorFrame, LiveEvent, LogEventType, ReadyFrame } from '@chat/contracts';

/** The part of the WHATWG `WebSocket` the client uses (browsers, Node 22+, and the `ws` package). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /** `ws` only: drops the connection without a closing handshake. */
  terminate?(): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/**
 * A `WebSocket` constructor. The third argument is the `ws` package's options: with
 * `authMode: 'header'` the client passes `{ headers: { authorization } }` there, which a browser
 * `WebSocket` cannot take (use `authMode: 'frame'` there).
 */
export type WebSocketConstructor = new (url: string, protocols?: string | string[], options?: { headers?: Record<string, string> }) => WebSocketLike;

/** The `readyState` of an open socket. */
export const WS_OPEN = 1;

export type ReadyData = ReadyFrame['d'];

export type PongFrame = { op: 'pong'; ref?: string | number };

/** Every frame the server sends. */
export type ServerFrame = ReadyFrame | PongFrame | AckFrame | ErrorFrame | LiveEvent;

/** A chat-log event: it has a chat and a seq, and seqs of one chat grow by exactly one. */
export interface ChatEvent {
  op: 'event';
  t: LogEventType;
  chatId: string;
  seq: number;
  actorId?: string | null;
  createdAt?: string;
  d: Record<string, unknown>;
}

/** An event without a seq: typing, presence, `unread.updated`, `chat.added`, `chat.removed`, … */
export type EphemeralEvent = LiveEvent;

export type ConnectionState = 'connecting' | 'ready' | 'closed';

export interface StateDetail {
  /** The close code and reason (for `closed`). */
  code?: number;
  reason?: string;
  /** `closed` only: whether the client is about to reconnect. */
  willReconnect?: boolean;
  /** Why the client gave up (a final `closed`). */
  error?: Error;
}

/** Counters for tools (benchmarks, fault drills). */
export interface ClientStats {
  /** Every frame received, of any kind. */
  framesReceived: number;
  /** Chat-log events handed to `on('event')` (each seq of a chat once, in order). */
  eventsShown: number;
  /** Log events received again for a seq already held. */
  duplicatesDropped: number;
  /** Catch-ups over REST after a seq gap, a sync that had more, or tracking a chat behind. */
  gapsFilled: number;
  /** Sockets opened after the first. */
  reconnects: number;
  /** `sync` requests sent. */
  syncs: number;
  /** `message.send` attempts repeated with the same `clientMessageId`. */
  sendRetries: number;
}
