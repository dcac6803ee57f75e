import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { waitFor } from './wait.js';

export interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
  /** The `token: …` line of the mail, when there is one. */
  token?: string;
}

async function readAll(dir: string): Promise<ReceivedMail[]> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (f) => {
      const m = JSON.parse(await readFile(join(dir, f), 'utf8'));
      const text = String(m.text ?? '');
      return { to: (m.to ?? []).map((a: { address: string }) => a.address), subject: m.subject, text, token: /token: (\S+)/.exec(text)?.[1] };
    }),
  );
}

/** Every mail delivered to `address` so far, oldest first. */
export async function mailsTo(dir: string, address: string): Promise<ReceivedMail[]> {
  return (await readAll(dir)).filter((m) => m.to.includes(address));
}

/** Waits for the `n`-th mail (1-based) to `address` whose subject matches. */
export async function waitForMail(dir: string, address: string, subject: RegExp, n = 1, timeoutMs = 5000): Promise<ReceivedMail> {
  return waitFor(async () => (await mailsTo(dir, address)).filter((m) => subject.test(m.subject))[n - 1], timeoutMs, `mail "${subject}" to ${address}`);
}
