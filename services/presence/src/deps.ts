import type { Platform } from '@chat/service-kit';
import type { PresenceConfig } from './config.js';
import type { PresenceMetrics } from './metrics.js';
import type { LivePresence } from './store/devices.store.js';
import type { TypingStore } from './store/typing.store.js';

/** What the presence domain functions work with. */
export interface PresenceDeps {
  platform: Platform;
  config: PresenceConfig;
  metrics: PresenceMetrics;
  live: LivePresence;
  typing: TypingStore;
}
