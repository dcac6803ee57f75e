import type { LiveSocket } from '../primitives/live-socket.js';

/**
 * Sockets not yet authenticated, counted per client address, so one address cannot hold open an
 * unbounded number of sockets that cost a slot and an auth deadline each. A socket stops counting
 * once its token checks out (the per-user connection cap takes over) or when it closes.
 */
export class PendingSockets {
  private readonly counts = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Whether one more socket from the address may open. */
  admits(address: string): boolean {
    return (this.counts.get(address) ?? 0) < this.max;
  }

  count(sock: LiveSocket, address: string): void {
    sock.pendingFrom = address;
    this.counts.set(address, (this.counts.get(address) ?? 0) + 1);
  }

  release(sock: LiveSocket): void {
    const address = sock.pendingFrom;
    if (address === undefined) return;
    sock.pendingFrom = undefined;
    const left = (this.counts.get(address) ?? 1) - 1;
    if (left > 0) this.counts.set(address, left);
    else this.counts.delete(address);
  }
}
