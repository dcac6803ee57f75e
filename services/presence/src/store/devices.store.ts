import type { ChosenStatus, PresenceStatus } from '@chat/contracts';
import type { RedisClient, RedisKeys } from '@chat/service-kit';
import { CLAIM_DUE, CONNECT, DISCONNECT, HEARTBEAT, LOAD_PREFERENCE, RECONCILE, SET_STATUS } from './presence.lua.js';
import { type Script, runScript } from './scripts.js';

export interface UserRef {
  appId: string;
  userId: string;
}

/** What a change of live presence asks of its caller next. */
export type Outcome =
  | { kind: 'none' }
  | { kind: 'nopref' }
  | { kind: 'offline_due' }
  /** `at`: for offline, when the user left (last heard of); otherwise when the change took effect. */
  | { kind: 'publish'; status: PresenceStatus; customStatus: string | null; at: Date };

/** The times the scripts work with, in milliseconds. */
export interface Timing {
  deviceTtl: number;
  awayAfter: number;
  grace: number;
  /** How long an offline user's hash stays in Redis (the chosen status is in PostgreSQL too). */
  retention: number;
}

/** Redis access of the live presence: every call is one atomic script. */
export class LivePresence {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly timing: Timing,
  ) {}

  private userKey(ref: UserRef): string {
    return this.keys.key('presence', 'user', ref.appId, ref.userId);
  }

  private async run(s: Script, ref: UserRef, extraKeys: string[], extraArgs: string[]): Promise<Outcome> {
    const keys = [
      this.keys.key('presence', 'dev', ref.appId, ref.userId),
      this.userKey(ref),
      this.keys.key('presence', 'due'),
      this.keys.key('presence', 'online'),
      ...extraKeys,
    ];
    const t = this.timing;
    const args = [`${ref.appId}:${ref.userId}`, t.deviceTtl, t.awayAfter, t.grace, t.retention, ...extraArgs];
    return toOutcome(await runScript<string[]>(this.redis, s, keys, args));
  }

  private tombstone(ref: UserRef, connectionId: string): string {
    return this.keys.key('presence', 'gone', ref.appId, ref.userId, connectionId);
  }

  connect(ref: UserRef, connectionId: string): Promise<Outcome> {
    return this.run(CONNECT, ref, [this.tombstone(ref, connectionId)], [connectionId]);
  }

  disconnect(ref: UserRef, connectionId: string): Promise<Outcome> {
    return this.run(DISCONNECT, ref, [this.tombstone(ref, connectionId)], [connectionId]);
  }

  heartbeat(ref: UserRef, connectionId: string, active: boolean): Promise<Outcome> {
    return this.run(HEARTBEAT, ref, [this.tombstone(ref, connectionId)], [connectionId, active ? '1' : '0']);
  }

  setStatus(ref: UserRef, status: ChosenStatus, customStatus: string | null, allowOffline: boolean): Promise<Outcome> {
    return this.run(SET_STATUS, ref, [], [status, customStatus ?? '', allowOffline ? '1' : '0']);
  }

  reconcile(ref: UserRef, immediate: boolean, allowOffline: boolean): Promise<Outcome> {
    return this.run(RECONCILE, ref, [], [immediate ? '1' : '0', allowOffline ? '1' : '0']);
  }

  async loadPreference(ref: UserRef, status: ChosenStatus, customStatus: string | null): Promise<void> {
    await runScript(this.redis, LOAD_PREFERENCE, [this.userKey(ref)], [status, customStatus ?? '']);
  }

  /** Users whose state may have changed by itself (see CLAIM_DUE). */
  async claimDue(limit: number, leaseMs: number): Promise<UserRef[]> {
    const members = await runScript<string[]>(this.redis, CLAIM_DUE, [this.keys.key('presence', 'due')], [limit, leaseMs]);
    return members.map((m) => {
      const [appId = '', userId = ''] = m.split(':');
      return { appId, userId };
    });
  }

  /** What was last published of each user (offline when nothing), and since when an offline one is gone. */
  async published(refs: UserRef[]): Promise<{ status: PresenceStatus; customStatus: string | null; leftAt: Date | null }[]> {
    const rows = await Promise.all(refs.map((ref) => this.redis.hmGet(this.userKey(ref), ['ps', 'pc', 'left'])));
    return rows.map(([ps, pc, left]) => ({
      status: (ps ?? 'offline') as PresenceStatus,
      customStatus: pc ?? null,
      leftAt: left ? new Date(Number(left)) : null,
    }));
  }

  /** The user's chosen status as Redis holds it, and what others see now. */
  async own(ref: UserRef): Promise<{ status: ChosenStatus | null; customStatus: string | null; seenAs: PresenceStatus }> {
    const [status, custom, ps] = await this.redis.hmGet(this.userKey(ref), ['status', 'custom', 'ps']);
    return { status: (status ?? null) as ChosenStatus | null, customStatus: custom ?? null, seenAs: (ps ?? 'offline') as PresenceStatus };
  }

  /** Drops the chosen status (a deleted account); devices still expire as usual. */
  async forgetChoice(ref: UserRef): Promise<void> {
    await this.redis.hDel(this.userKey(ref), ['status', 'custom']);
  }

  countOnline(): Promise<number> {
    return this.redis.sCard(this.keys.key('presence', 'online'));
  }
}

function toOutcome(reply: string[]): Outcome {
  const [kind, status, custom, at] = reply;
  if (kind === 'publish') {
    return { kind, status: status as PresenceStatus, customStatus: custom || null, at: new Date(Number(at)) };
  }
  if (kind === 'nopref' || kind === 'offline_due') return { kind };
  return { kind: 'none' };
}
