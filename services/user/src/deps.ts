import type { Platform } from '@chat/service-kit';
import type { UserConfig } from './config.js';

/** What the user domain functions work with. */
export interface UserDeps {
  platform: Platform;
  config: UserConfig;
}
