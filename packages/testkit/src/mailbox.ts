import { readOutbox } from './outbox-files.js';
import { waitFor } from './wait.js';

export interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
  /** The `token: …` line of the mail, when there is one. */
  token?: string;
}

async function readAll(dir: string): Promise<ReceivedMail[]> {
  return (await readOutbox(dir)).map((m) => {
    const text = String(m.text ?? '');
    const to = ((m.to ?? []) as { address: string }[]).map((a) => a.address);
    return { to, subject: String(m.subject), text, token: /token: (\S+)/.exec(text)?.[1] };
  });
}

/** Every mail delivered to `address` so far, oldest first. */
export async function mailsTo(dir: string, address: string): Promise<ReceivedMail[]> {
  return (await readAll(dir)).filter((m) => m.to.includes(address));
}

/** Waits for the `n`-th mail (1-based) to `address` whose subject matches. */
export async function waitForMail(dir: string, address: string, subject: RegExp, n = 1, timeoutMs = 5000): Promise<ReceivedMail> {
  return waitFor(async () => (await mailsTo(dir, address)).filter((m) => subject.test(m.subject))[n - 1], timeoutMs, `mail "${subject}" to ${address}`);
}
