// 10. Redis flushed and stopped for a while: delivery is unaffected, presence rebuilds itself,
// revoked tokens stay revoked, and logins fail closed while their limits cannot be counted.
import { ApiError } from '@chat/client/node';
import type { Drill } from '../drill.js';
import { type Member, clientFor, newMember, restFor } from '../room.js';
import type { DrillStack } from '../stack.js';
import { sleep } from '../util.js';
import { steadyRun } from './steady-run.js';

/** The HTTP status of a call (0 when it never got an answer). */
async function statusOf(call: () => Promise<unknown>): Promise<number> {
  try {
    await call();
    return 200;
  } catch (err) {
    return err instanceof ApiError ? err.status : 0;
  }
}

async function presenceOf(stack: DrillStack, asker: Member, userId: string): Promise<string | undefined> {
  const body = await restFor(stack, asker)
    .call<unknown>('GET', '/presence/users', { query: { ids: userId } })
    .catch(() => undefined);
  const list = (Array.isArray(body) ? body : ((body as { data?: unknown[] } | undefined)?.data ?? [])) as { userId: string; status: string }[];
  return list.find((p) => p.userId === userId)?.status;
}

interface Rebuild {
  /** The last status read. */
  status: string;
  /** When it first read online, counted from `since`; absent when it never did within the time allowed. */
  afterMs?: number;
}

/** Reads the user's presence every 500 ms from `since` until it is online or `withinMs` have passed. */
async function onlineAgainAfter(stack: DrillStack, asker: Member, userId: string, since: number, withinMs: number): Promise<Rebuild> {
  let status: string | undefined;
  while (Date.now() < since + withinMs) {
    status = await presenceOf(stack, asker, userId);
    if (status === 'online') return { status, afterMs: Date.now() - since };
    await sleep(500);
  }
  return { status: status ?? 'none' };
}

export const redisOutage: Drill = {
  id: 10,
  title: 'Redis flushed and stopped, then started empty',
  privateInfra: true,
  inTestSuite: false,
  async run(stack, scale) {
    const redis = stack.infra.redis!;
    const victim = await newMember(stack, 'revoked');
    const rest = restFor(stack, victim);
    const stale = victim.accessToken;
    await rest.logout();
    const staleRest = restFor(stack, { ...victim, accessToken: stale, refreshToken: '' });
    const revokedBefore = await statusOf(() => staleRest.me());
    const during: { revoked: number; login: number } = { revoked: -1, login: -1 };
    // The watched user stays connected from before the fault until presence is read back (the
    // room's receivers close as soon as the run ends, before a heartbeat may have come).
    const [watched, watcher] = await Promise.all([newMember(stack, 'watched'), newMember(stack, 'watcher')]);
    const watchedClient = clientFor(stack, watched);
    watchedClient.on('error', () => {});
    await watchedClient.connect();
    let presenceBefore: string | undefined;
    let rebuilt: Promise<Rebuild> = Promise.resolve({ status: 'none' });
    try {
      const run = await steadyRun(stack, {
        rate: 50,
        beforeMs: 3000,
        fault: async () => {
          presenceBefore = await presenceOf(stack, watcher, watched.id);
          redis.flush();
          await redis.kill();
        },
        faultMs: scale === 'full' ? 60_000 : 10_000,
        whileBroken: async () => {
          await sleep(2000);
          during.revoked = await statusOf(() => staleRest.me());
          during.login = await statusOf(() => restFor(stack, victim).login({ identifier: victim.username, password: 'wrong password' }));
        },
        recover: async () => {
          await redis.start();
          // One presence heartbeat interval (30 s by default) brings the device back; 45 s leaves slack.
          rebuilt = onlineAgainAfter(stack, watcher, watched.id, Date.now(), 45_000);
        },
        afterMs: 5000,
      });
      const revokedAfter = await statusOf(() => staleRest.me());
      const presence = await rebuilt;
      const watchedReconnects = watchedClient.stats.reconnects;
      return {
        report: run.ledger.report(),
        facts: {
          ackedDuringOutage: run.acked.during,
          revokedTokenBefore: revokedBefore,
          revokedTokenDuringOutage: during.revoked,
          revokedTokenAfter: revokedAfter,
          loginDuringOutage: during.login,
          presenceBefore: presenceBefore ?? 'none',
          presenceAfter: presence.status,
          presenceRebuiltAfterMs: presence.afterMs ?? -1,
          watchedReconnects,
        },
        checks: {
          deliveryUnaffected: run.acked.during > 0,
          revokedStaysRevoked: revokedBefore === 401 && during.revoked !== 200 && revokedAfter === 401,
          loginFailsClosed: during.login === 503 || during.login === 429,
          presenceRebuilt: presenceBefore === 'online' && presence.status === 'online' && watchedReconnects === 0,
          caughtUp: run.caughtUp,
        },
      };
    } finally {
      watchedClient.close();
    }
  },
};
