import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { newId } from '@chat/service-kit';
import type { AuthConfig } from './config.js';

export interface Sms {
  /** E.164 number. */
  to: string;
  text: string;
}

export interface SmsSender {
  send(sms: Sms): Promise<void>;
}

/** A provider that has not answered in this long is given up on (the caller may ask again). */
const PROVIDER_TIMEOUT_MS = 10_000;

/**
 * Production transport: POSTs `{ to, text }` as JSON to the provider's endpoint with the token as
 * a bearer credential; anything but a 2xx answer is a failed send.
 */
export function httpSmsSender(url: string, token: string): SmsSender {
  return {
    async send(sms) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ to: sms.to, text: sms.text }),
        signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
      });
      await res.body?.cancel();
      if (!res.ok) throw new Error(`SMS provider answered ${res.status}`);
    },
  };
}

/**
 * Development and test transport: each message is written as one JSON file `{ to, text, sentAt }`
 * into `dir`, where a developer (or a test) reads it.
 */
export function outboxSmsSender(dir: string): SmsSender {
  return {
    async send(sms) {
      await mkdir(dir, { recursive: true });
      const message = { to: sms.to, text: sms.text, sentAt: new Date().toISOString() };
      await writeFile(join(dir, `${Date.now()}-${newId()}.json`), JSON.stringify(message));
    },
  };
}

/** The provider when one is configured (always in production), else the outbox folder. */
export function createSmsSender(config: AuthConfig): SmsSender {
  return config.SMS_PROVIDER_URL && config.SMS_PROVIDER_TOKEN
    ? httpSmsSender(config.SMS_PROVIDER_URL, config.SMS_PROVIDER_TOKEN)
    : outboxSmsSender(config.SMS_OUTBOX_DIR);
}
