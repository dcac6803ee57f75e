import { HEARTBEAT_BATCH_MAX, presenceRpcs } from '@chat/contracts';
import { callRpc } from '@chat/service-kit';
import type { RealtimeDeps } from '../deps.js';
import type { LiveSocket } from '../primitives/live-socket.js';

/**
 * Tells the presence service about this node's sockets. Presence failures never break messaging:
 * they are logged and the socket carries on (a missed connect is repaired by the next heartbeat's
 * expiry logic on the presence side, a missed disconnect by the device TTL).
 */
export class PresenceReporter {
  private readonly pending = new Set<Promise<unknown>>();
  private failures = 0;
  private loggedAt = 0;

  constructor(private readonly deps: RealtimeDeps) {}

  /** One log line per 5 s at most: an outage of presence must not turn into a line per socket. */
  private failed(what: string, err: unknown): void {
    this.failures += 1;
    const now = Date.now();
    if (now - this.loggedAt < 5000) return;
    this.deps.logger.warn('presence calls failing', { what, failures: this.failures, err: err instanceof Error ? err.message : String(err) });
    this.loggedAt = now;
    this.failures = 0;
  }

  private track(what: string, call: Promise<unknown>): void {
    const settled = call.catch((err: unknown) => this.failed(what, err));
    this.pending.add(settled);
    void settled.finally(() => this.pending.delete(settled));
  }

  connected(sock: LiveSocket): void {
    const { bus, config } = this.deps;
    const request = { appId: sock.appId, userId: sock.userId, sessionId: sock.sessionId, connectionId: sock.connectionId, nodeId: config.NODE_ID };
    this.track('connect', callRpc(bus, presenceRpcs.connect, request, config.RPC_TIMEOUT_MS));
  }

  disconnected(sock: LiveSocket): void {
    const { bus, config } = this.deps;
    this.track(
      'disconnect',
      callRpc(bus, presenceRpcs.disconnect, { appId: sock.appId, userId: sock.userId, connectionId: sock.connectionId }, config.RPC_TIMEOUT_MS),
    );
  }

  /** Renews the node's ready sockets, in batches NATS can carry; resets each socket's activity flag. */
  heartbeat(sockets: LiveSocket[]): void {
    const { bus, config } = this.deps;
    for (let i = 0; i < sockets.length; i += HEARTBEAT_BATCH_MAX / 2) {
      const connections = sockets.slice(i, i + HEARTBEAT_BATCH_MAX / 2).map((s) => {
        const active = s.active;
        s.active = false;
        return { appId: s.appId, userId: s.userId, connectionId: s.connectionId, active };
      });
      this.track('heartbeat', callRpc(bus, presenceRpcs.heartbeat, { nodeId: config.NODE_ID, connections }, config.RPC_TIMEOUT_MS));
    }
  }

  /** Waits for calls in flight (before the NATS connection is drained). */
  async settle(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}
