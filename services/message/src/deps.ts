import type { Platform } from '@chat/service-kit';
import type { MessageConfig } from './config.js';
import type { ChatAccess } from './domain/chat-access.js';
import type { SendBatcher } from './domain/send-batcher.js';

/** What the message domain functions work with. */
export interface MessageDeps {
  platform: Platform;
  config: MessageConfig;
  access: ChatAccess;
  sends: SendBatcher;
}
