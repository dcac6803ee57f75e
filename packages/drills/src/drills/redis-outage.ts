// 10. Redis flushed and stopped for a while: delivery is unaffected, presence rebuilds itself,
// revoked tokens stay revoked, and logins fail closed while their limits cannot be counted.
import { ApiError } from '@chat/client/node';
import type { Drill } from '../drill.js';
import { newMember, restFor } from '../room.js';
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

async function presenceOf(stack: DrillStack, asker: Parameters<typeof restFor>[1], userId: string): Promise<string | undefined> {
  const body = await restFor(stack, asker).call<unknown>('GET', '/presence/users', { query: { ids: userId } }).catch(() => undefined);
  const list = (Array.isArray(body) ? body : (body as { data?: unknown[] } | undefined)?.data ?? []) as { userId: string; status: string }[];
  return list.find((p) => p.userId === userId)?.status;
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
    let presenceBefore: string | undefined;
    const run = await steadyRun(stack, {
      rate: 50,
      beforeMs: 3000,
      fault: async (run) => {
        presenceBefore = await presenceOf(stack, run.room.owner, run.room.members[1]!.id);
        redis.flush();
        await redis.kill();
      },
      faultMs: scale === 'full' ? 60_000 : 10_000,
      whileBroken: async () => {
        await sleep(2000);
        during.revoked = await statusOf(() => staleRest.me());
        during.login = await statusOf(() => restFor(stack, victim).login({ identifier: victim.username, password: 'wrong password' }));
      },
      recover: () => redis.start(),
      afterMs: 5000,
    });
    const revokedAfter = await statusOf(() => staleRest.me());
    let presence: string | undefined;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && presence !== 'online') {
      presence = await presenceOf(stack, run.room.owner, run.room.members[1]!.id);
      if (presence !== 'online') await sleep(500);
    }
    return {
      report: run.ledger.report(),
      facts: {
        ackedDuringOutage: run.acked.during,
        revokedTokenBefore: revokedBefore,
        revokedTokenDuringOutage: during.revoked,
        revokedTokenAfter: revokedAfter,
        loginDuringOutage: during.login,
        presenceBefore: presenceBefore ?? 'none',
        presenceAfter: presence ?? 'none',
      },
      checks: {
        deliveryUnaffected: run.acked.during > 0,
        revokedStaysRevoked: revokedBefore === 401 && during.revoked !== 200 && revokedAfter === 401,
        loginFailsClosed: during.login === 503 || during.login === 429,
        presenceRebuilt: presenceBefore === 'online' && presence === 'online',
        caughtUp: run.caughtUp,
      },
    };
  },
};
