import type { RealtimeNodeInfo } from '@chat/contracts';
import type { RedisClient, RedisKeys } from '@chat/service-kit';

/**
 * The live realtime nodes: one hash field per node (`{ url, connections, expiresAt }`). A node
 * rewrites its own field every few seconds; a node that stops doing so is left out once its
 * `expiresAt` passes, and removed by the next node that reads the list.
 */
const keyOf = (keys: RedisKeys) => keys.key('rt', 'nodes');

interface Entry extends RealtimeNodeInfo {
  expiresAt: number;
}

export async function reportNode(redis: RedisClient, keys: RedisKeys, nodeId: string, node: RealtimeNodeInfo, ttlMs: number): Promise<void> {
  const entry: Entry = { ...node, expiresAt: Date.now() + ttlMs };
  await redis.hSet(keyOf(keys), nodeId, JSON.stringify(entry));
}

export async function forgetNode(redis: RedisClient, keys: RedisKeys, nodeId: string): Promise<void> {
  await redis.hDel(keyOf(keys), nodeId);
}

/** The nodes that reported within their time, least busy first (ties by URL, so answers are stable). */
export async function listNodes(redis: RedisClient, keys: RedisKeys): Promise<RealtimeNodeInfo[]> {
  const now = Date.now();
  const live: RealtimeNodeInfo[] = [];
  const stale: string[] = [];
  for (const [nodeId, text] of Object.entries(await redis.hGetAll(keyOf(keys)))) {
    const entry = JSON.parse(text) as Entry;
    if (entry.expiresAt > now) live.push({ url: entry.url, connections: entry.connections });
    else stale.push(nodeId);
  }
  if (stale.length > 0) await redis.hDel(keyOf(keys), stale);
  return live.sort((a, b) => a.connections - b.connections || a.url.localeCompare(b.url));
}
