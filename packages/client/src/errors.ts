/** A REST call answered with an error status (or never reached the server: `status` 0, `network_error`). */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    /** The problem's stable `code` (`validation_failed`, `token_expired`, …). */
    readonly code: string,
    message: string,
    /** The parsed problem+json body, or the raw text when it was not JSON. */
    readonly body: unknown,
    /** The answer's `Retry-After`, in seconds. */
    readonly retryAfterS?: number,
  ) {
    super(message);
  }

  /** Worth repeating unchanged: the server was unreachable, overloaded or rate limiting. */
  get retryable(): boolean {
    return this.status === 0 || this.status >= 500 || this.code === 'rate_limited';
  }
}

/**
 * A WebSocket request answered with an `error` frame, or left without an answer: `timeout` (no
 * answer in time), `disconnected` (the socket closed first), `client_closed` (the client was closed).
 */
export class RequestError extends Error {
  override readonly name = 'RequestError';

  constructor(
    readonly code: string,
    message: string,
    readonly op: string,
    readonly errors?: { path: string; message: string }[],
    /** The frame's `retryAfter`, in seconds. */
    readonly retryAfterS?: number,
  ) {
    super(message);
  }

  get retryable(): boolean {
    return RETRYABLE_CODES.has(this.code);
  }
}

/** Codes after which the same request (same `clientMessageId`) may be sent again. */
const RETRYABLE_CODES = new Set(['timeout', 'disconnected', 'rate_limited', 'service_unavailable', 'unavailable', 'internal']);

/** How long the server asked to wait before the same request is tried again, in ms (0 when it did not say). */
export function retryAfterMs(err: unknown): number {
  const s = err instanceof RequestError || err instanceof ApiError ? err.retryAfterS : undefined;
  return s && Number.isFinite(s) && s > 0 ? s * 1000 : 0;
}

/** Whether an error from a send (socket or REST) may be retried with the same idempotency key. */
export function isRetryable(err: unknown): boolean {
  return (err instanceof RequestError || err instanceof ApiError) && err.retryable;
}
