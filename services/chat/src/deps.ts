import type { Platform } from '@chat/service-kit';
import type { ChatConfig } from './config.js';

/** What the chat domain functions work with. */
export interface ChatDeps {
  platform: Platform;
  config: ChatConfig;
}
