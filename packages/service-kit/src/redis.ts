import { createClient } from 'redis';

function makeClient(url: string) {
  // Commands fail at once while the server is away (503 for the caller) instead of queueing until
  // it is back: requests must not pile up behind a dead dependency.
  return createClient({ url, disableOfflineQueue: true, socket: { reconnectStrategy: (retries) => Math.min(retries * 100, 2000) } });
}

export type RedisClient = ReturnType<typeof makeClient>;

export async function connectRedis(url: string): Promise<RedisClient> {
  const client = makeClient(url);
  // Errors surface through commands and /ready; the 'error' listener keeps them from crashing the process.
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Namespaced Redis keys: every key of a deployment (or test file) starts with one prefix. */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  key(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }
}
