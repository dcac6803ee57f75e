import type { Platform } from '@chat/service-kit';
import type { MediaConfig } from './config.js';
import type { ObjectStore } from './storage/object-store.js';

/** What the media domain functions work with. */
export interface MediaDeps {
  platform: Platform;
  config: MediaConfig;
  storage: ObjectStore;
}
