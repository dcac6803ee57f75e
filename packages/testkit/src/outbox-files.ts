import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Every JSON file a development transport (mailbox, SMS outbox) wrote into `dir`, oldest first, parsed. */
export async function readOutbox(dir: string): Promise<Record<string, unknown>[]> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(files.map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8')) as Record<string, unknown>));
}
