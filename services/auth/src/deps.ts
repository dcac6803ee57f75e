import type { Platform } from '@chat/service-kit';
import type { AuthConfig } from './config.js';
import type { Mailer } from './mailer.js';
import type { SigningKey } from './signing-key.js';
import type { SmsSender } from './sms.js';

/** What the auth domain functions work with. */
export interface AuthDeps {
  platform: Platform;
  config: AuthConfig;
  signingKey: SigningKey;
  mailer: Mailer;
  sms: SmsSender;
  /** A bcrypt hash compared against when the user does not exist, so both cases take as long. */
  dummyPasswordHash: string;
}

/** Where a request came from, recorded on its session. */
export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
  deviceName: string | null;
}
