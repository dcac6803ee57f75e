import type { RealtimeConfig } from '../config.js';
import type { LiveSocket } from './live-socket.js';

export const Verdict = { Allowed: 0, Refused: 1, Abusive: 2 } as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

/**
 * A token bucket per socket (`WS_OPS_PER_SECOND`, bursts up to `WS_OPS_BURST`), kept in the
 * socket's own fields. Refused ops pile up as strikes that drain at a quarter of the op rate, so a
 * client that keeps pushing past the limit, not one short burst, reaches the abuse tolerance.
 */
export function takeOp(sock: LiveSocket, config: RealtimeConfig, now: number): Verdict {
  const rate = config.WS_OPS_PER_SECOND;
  const elapsedS = Math.max(0, now - sock.tokensAt) / 1000;
  sock.tokensAt = now;
  sock.tokens = Math.min(config.WS_OPS_BURST, sock.tokens + elapsedS * rate);
  sock.strikes = Math.max(0, sock.strikes - (elapsedS * rate) / 4);
  if (sock.tokens >= 1) {
    sock.tokens -= 1;
    return Verdict.Allowed;
  }
  sock.strikes += 1;
  return sock.strikes > config.WS_ABUSE_TOLERANCE ? Verdict.Abusive : Verdict.Refused;
}
