import type { BackgroundTask } from '@chat/service-kit';
import type { PresenceDeps } from '../deps.js';
import { settle } from './transitions.js';
import { expireTyping } from './typing.js';

/** How long a claimed user stays with this replica before another may take it (it crashed mid-sweep). */
const CLAIM_LEASE_MS = 10_000;
/** Users reconciled at once within one sweep. */
const CONCURRENCY = 64;

/**
 * Finds what changes by itself, without any realtime node telling: devices whose heartbeats
 * stopped, users due to turn away, grace periods that ended, typing that expired. Safe with any
 * number of replicas (claims in Redis; each change is published by exactly one).
 */
async function sweepPresence(deps: PresenceDeps): Promise<void> {
  const due = await deps.live.claimDue(deps.config.PRESENCE_SWEEP_BATCH, CLAIM_LEASE_MS);
  for (let i = 0; i < due.length; i += CONCURRENCY) {
    await Promise.all(due.slice(i, i + CONCURRENCY).map(async (ref) => settle(deps, ref, await deps.live.reconcile(ref, false, false), false)));
  }
}

export function startSweeper(deps: PresenceDeps): BackgroundTask {
  const { logger } = deps.platform;
  let current: Promise<void> | undefined;
  const sweep = async () => {
    const results = await Promise.allSettled([sweepPresence(deps), expireTyping(deps, deps.config.PRESENCE_SWEEP_BATCH)]);
    for (const r of results)
      if (r.status === 'rejected')
        logger.warn('sweep failed, retrying next interval', { err: r.reason instanceof Error ? r.reason.message : String(r.reason) });
  };
  const timer = setInterval(() => {
    if (current) return;
    current = sweep().finally(() => {
      current = undefined;
    });
  }, deps.config.PRESENCE_SWEEP_INTERVAL_MS);
  return {
    async stop() {
      clearInterval(timer);
      await current;
    },
  };
}
