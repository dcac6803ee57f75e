import { readOutbox } from './outbox-files.js';
import { waitFor } from './wait.js';

export interface ReceivedSms {
  to: string;
  text: string;
  /** The six-digit code of the text, when there is one. */
  code?: string;
}

async function readAll(dir: string): Promise<ReceivedSms[]> {
  return (await readOutbox(dir)).map((m) => {
    const text = String(m.text ?? '');
    return { to: String(m.to), text, code: /\b(\d{6})\b/.exec(text)?.[1] };
  });
}

/** Every text sent to `phone` so far through the development SMS outbox, oldest first. */
export async function smsTo(dir: string, phone: string): Promise<ReceivedSms[]> {
  return (await readAll(dir)).filter((m) => m.to === phone);
}

/** Waits for the `n`-th text (1-based) to `phone`. */
export async function waitForSms(dir: string, phone: string, n = 1, timeoutMs = 5000): Promise<ReceivedSms> {
  return waitFor(async () => (await smsTo(dir, phone))[n - 1], timeoutMs, `text ${n} to ${phone}`);
}
