import type { RedisClient, RedisKeys } from '../redis.js';

/** The revocation list is incomplete: Redis lost it and the auth service has not rebuilt it yet. */
export class RevocationListIncomplete extends Error {
  constructor() {
    super('the revocation list is being rebuilt');
  }
}

/**
 * Sessions revoked within the lifetime of an access token. Shared by every service through Redis,
 * so a revoked session's access tokens stop working everywhere at once. The auth service rebuilds
 * the list from PostgreSQL and then sets a marker; a Redis that was flushed or restarted empty has
 * no marker, and until it is back every check fails (closed) instead of answering "not revoked".
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
    const [complete, revoked] = await this.redis.multi().exists(this.completeKey).exists(this.keys.key('revoked-session', sessionId)).exec();
    if (Number(complete) !== 1) throw new RevocationListIncomplete();
    return Number(revoked) === 1;
  }

  /** Whether the list is whole (false after Redis lost its data). */
  async isComplete(): Promise<boolean> {
    return (await this.redis.exists(this.completeKey)) === 1;
  }

  /** Called by the auth service once the list holds every recently revoked session. */
  async markComplete(): Promise<void> {
    await this.redis.set(this.completeKey, '1');
  }

  private get completeKey(): string {
    return this.keys.key('revocations-complete');
  }
}
