// Browser-safe entry: no Node modules; uses the platform's `fetch` and `WebSocket` unless given others.
export { ChatClient, wsUrlOf, type AckOf, type ChatClientEvents, type ChatClientOptions } from './chat-client.js';
export {
  RestClient,
  type FetchLike,
  type MessageList,
  type NewMessage,
  type Page,
  type Query,
  type RestClientOptions,
  type SessionTokens,
  type UnreadSummary,
} from './rest-client.js';
export { ApiError, RequestError, isRetryable, retryAfterMs } from './errors.js';
export { backoffDelay } from './backoff.js';
export { newClientMessageId } from './ids.js';
export type {
  ChatEvent,
  ClientStats,
  ConnectionState,
  EphemeralEvent,
  ReadyData,
  ServerFrame,
  StateDetail,
  WebSocketConstructor,
  WebSocketLike,
} from './types.js';
export type { Chat, Member, Message, Tokens, User } from '@chat/contracts';
