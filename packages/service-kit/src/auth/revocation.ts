import type { RedisClient, RedisKeys } from '../redis.js';

/**
 * Sessions revoked within the lifetime of an access token. Shared by every service through Redis,
 * so a revoked session's access tokens stop working everywhere at once.
 */
export class RevocationList {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  async revoke(sessionIds: string[], ttlSeconds: number): Promise<void> {
    if (sessionIds.length === 0) return;
    const multi = this.redis.multi();
    for (const sid of sessionIds) multi.set(this.keys.key('revoked-session', sid), '1', { EX: Math.max(1, Math.ceil(ttlSeconds)) });
    await multi.exec();
  }

  async isRevoked(sessionId: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.key('revoked-session', sessionId))) === 1;
  }
}
