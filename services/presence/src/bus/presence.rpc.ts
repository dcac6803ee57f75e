import { presenceRpcs } from '@chat/contracts';
import { serveRpc } from '@chat/service-kit';
import type { PresenceDeps } from '../deps.js';
import { doConnect, doDisconnect, doHeartbeat } from '../domain/devices.js';
import { listPresences, listRawLastSeen } from '../domain/presences.js';
import { doSetStatus } from '../domain/status.js';
import { doTyping } from '../domain/typing.js';

/** What the realtime service (sockets, `presence.*` and `typing.*` ops) and the user service (last seen) call. */
export function servePresenceRpcs(deps: PresenceDeps) {
  const { bus } = deps.platform;
  return [
    serveRpc(bus, presenceRpcs.connect, async (q) => {
      await doConnect(deps, q);
      return {};
    }),
    serveRpc(bus, presenceRpcs.disconnect, async (q) => {
      await doDisconnect(deps, q);
      return {};
    }),
    serveRpc(bus, presenceRpcs.heartbeat, async (q) => {
      await doHeartbeat(deps, q.connections);
      return {};
    }),
    serveRpc(bus, presenceRpcs.set, async (q) => ({ presence: await doSetStatus(deps, q, q) })),
    serveRpc(bus, presenceRpcs.watch, (q) => listPresences(deps, q.appId, q.viewerId, q.userIds)),
    serveRpc(bus, presenceRpcs.typing, async (q) => {
      await doTyping(deps, q, q.typing);
      return {};
    }),
    serveRpc(bus, presenceRpcs.lastSeen, async (q) => ({ users: await listRawLastSeen(deps, q.appId, q.userIds) })),
  ];
}
