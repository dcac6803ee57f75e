import type { RedisClient, RedisKeys } from '@chat/service-kit';

/**
 * Open sockets per user across every node: a sorted set of connection ids scored by when each
 * expires. Nodes renew their sockets on every heartbeat, so a crashed node's entries lapse alone.
 */
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`;

export interface ConnectionRef {
  appId: string;
  userId: string;
  connectionId: string;
}

const keyOf = (keys: RedisKeys, c: ConnectionRef) => keys.key('rt', 'conns', c.appId, c.userId);

/** Counts the connection in unless the user already has `max` live ones; false when over. */
export async function acquireConnection(redis: RedisClient, keys: RedisKeys, c: ConnectionRef, max: number, ttlMs: number): Promise<boolean> {
  const now = Date.now();
  const args = [String(now), String(now + ttlMs), c.connectionId, String(max), String(ttlMs)];
  return (await redis.eval(ACQUIRE, { keys: [keyOf(keys, c)], arguments: args })) === 1;
}

export async function releaseConnection(redis: RedisClient, keys: RedisKeys, c: ConnectionRef): Promise<void> {
  await redis.zRem(keyOf(keys, c), c.connectionId);
}

/** Pushes the expiry of live connections forward (only those still counted). */
export async function renewConnections(redis: RedisClient, keys: RedisKeys, connections: ConnectionRef[], ttlMs: number): Promise<void> {
  if (connections.length === 0) return;
  const expiresAt = Date.now() + ttlMs;
  const multi = redis.multi();
  for (const c of connections) {
    const key = keyOf(keys, c);
    multi.zAdd(key, { score: expiresAt, value: c.connectionId }, { XX: true });
    multi.pExpire(key, ttlMs);
  }
  await multi.exec();
}
