import type { PresenceDeps } from '../deps.js';
import type { UserRef } from '../store/devices.store.js';
import { settle } from './transitions.js';

export interface DeviceRef extends UserRef {
  connectionId: string;
}

/** Heartbeat items handled at once (Redis pipelines them). */
const HEARTBEAT_CHUNK = 500;

/** A socket of the user opened: the first one brings the user online. */
export async function doConnect(deps: PresenceDeps, device: DeviceRef): Promise<void> {
  await settle(deps, device, await deps.live.connect(device, device.connectionId), false);
}

/** A socket closed: the last one takes the user offline after the grace period. */
export async function doDisconnect(deps: PresenceDeps, device: DeviceRef): Promise<void> {
  await settle(deps, device, await deps.live.disconnect(device, device.connectionId), false);
}

/**
 * Refreshes each device's expiry (bringing back one Redis lost); an active socket resets the away
 * timer. One failing item does not stop the others; the batch fails if any did.
 */
export async function doHeartbeat(deps: PresenceDeps, devices: (DeviceRef & { active: boolean })[]): Promise<void> {
  let failed = 0;
  let firstError: unknown;
  for (let i = 0; i < devices.length; i += HEARTBEAT_CHUNK) {
    const chunk = devices.slice(i, i + HEARTBEAT_CHUNK);
    const results = await Promise.allSettled(chunk.map(async (d) => settle(deps, d, await deps.live.heartbeat(d, d.connectionId, d.active), false)));
    for (const r of results) {
      if (r.status === 'rejected') {
        failed += 1;
        firstError ??= r.reason;
      }
    }
  }
  if (failed > 0) {
    deps.platform.logger.error('heartbeat items failed', {
      failed,
      total: devices.length,
      err: firstError instanceof Error ? firstError.message : String(firstError),
    });
    throw firstError;
  }
}
