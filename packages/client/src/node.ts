import WebSocket from 'ws';
import { ChatClient as BaseChatClient, type ChatClientOptions } from './chat-client.js';
import type { WebSocketConstructor } from './types.js';

export * from './index.js';

/** The `ws` package's WebSocket, which takes the access token in the upgrade request's header. */
export const NodeWebSocket = WebSocket as unknown as WebSocketConstructor;

/** The chat client for Node: the `ws` package and header authentication unless told otherwise. */
export class ChatClient extends BaseChatClient {
  constructor(options: ChatClientOptions) {
    const WebSocket = options.WebSocket ?? NodeWebSocket;
    super({ ...options, WebSocket, authMode: options.authMode ?? (options.WebSocket ? 'frame' : 'header') });
  }
}
