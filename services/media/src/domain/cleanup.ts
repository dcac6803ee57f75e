import type { MediaDeps } from '../deps.js';
import { deleteMediaRows, lockExpiredPending } from '../store/media.store.js';
import { objectKeys } from './object-keys.js';

const BATCH = 100;

/**
 * Removes pending uploads older than PENDING_UPLOAD_TTL_S with whatever was uploaded for them.
 * Rows are claimed with SKIP LOCKED (replicas share the work) and deleted only once their objects
 * are gone. Returns how many were removed.
 */
export async function sweepExpiredUploads(deps: MediaDeps, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - deps.config.PENDING_UPLOAD_TTL_S * 1000);
  let total = 0;
  for (;;) {
    const removed = await deps.platform.db.tx(async (t) => {
      const rows = await lockExpiredPending(t, cutoff, BATCH);
      await deps.storage.remove(rows.flatMap(objectKeys));
      await deleteMediaRows(
        t,
        rows.map((r) => r.id),
      );
      return rows.length;
    });
    total += removed;
    if (removed < BATCH) return total;
  }
}

export interface Sweeper {
  stop(): Promise<void>;
}

/** Runs the sweep every PENDING_SWEEP_INTERVAL_MS; a failed sweep is logged and tried again next time. */
export function startSweeper(deps: MediaDeps): Sweeper {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = sweepExpiredUploads(deps)
      .then((n) => {
        if (n > 0) deps.platform.logger.info('expired uploads removed', { count: n });
      })
      .catch((err: unknown) => {
        deps.platform.logger.warn('sweeping expired uploads failed', { err: err instanceof Error ? err.message : String(err) });
      })
      .finally(() => {
        running = undefined;
      });
  }, deps.config.PENDING_SWEEP_INTERVAL_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
