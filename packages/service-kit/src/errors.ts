import {
  AbortError as RedisAbortError,
  TimeoutError as RedisTimeoutError,
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  SocketClosedUnexpectedlyError,
} from 'redis';
import type { ErrorCode } from '@chat/contracts';

export interface FieldError {
  path: string;
  message: string;
}

/** An error whose `detail` is safe to show to the caller. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    readonly detail: string,
    readonly extra: { errors?: FieldError[]; retryAfterS?: number } = {},
  ) {
    super(detail);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(errors: FieldError[], detail = 'request is not valid') {
    super(400, 'validation_failed', detail, { errors });
  }
}

export class UnauthorizedError extends AppError {
  constructor(detail = 'authentication required', code: ErrorCode = 'unauthorized') {
    super(401, code, detail);
  }
}

export class ForbiddenError extends AppError {
  constructor(detail = 'not allowed', code: ErrorCode = 'forbidden') {
    super(403, code, detail);
  }
}

export class NotFoundError extends AppError {
  constructor(detail = 'not found') {
    super(404, 'not_found', detail);
  }
}

export class ConflictError extends AppError {
  constructor(detail = 'conflict') {
    super(409, 'conflict', detail);
  }
}

export class RateLimitedError extends AppError {
  constructor(retryAfterS: number, detail = 'too many requests', code: ErrorCode = 'rate_limited') {
    super(429, code, detail, { retryAfterS: Math.max(1, Math.ceil(retryAfterS)) });
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(detail = 'a dependency is unavailable') {
    super(503, 'service_unavailable', detail);
  }
}

export class TimeoutError extends AppError {
  constructor(detail = 'a dependency did not answer in time') {
    super(504, 'timeout', detail);
  }
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', '57P01', '57P02', '57P03']);
const UNREACHABLE_NAMES = new Set(['ClientClosedError', 'SocketClosedUnexpectedlyError', 'ConnectionTimeoutError']);
/** What the Redis client raises while its server is down (some of them with an empty message and a plain name). */
const REDIS_OUTAGES = [RedisTimeoutError, RedisAbortError, ClientClosedError, ClientOfflineError, SocketClosedUnexpectedlyError, ConnectionTimeoutError];
const UNREACHABLE_MESSAGES = /connection terminated|connection timeout|the client is closed|database system is (starting up|shutting down|not yet accepting)/i;

/**
 * Whether an error means a dependency (PostgreSQL, Redis) cannot be reached right now, rather
 * than a bug: refused or dropped connections, PostgreSQL's connection exceptions (class 08) and
 * shutdown/start-up states (57P01–57P03). Callers answer these with 503 so clients retry.
 */
export function isDependencyOutage(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (REDIS_OUTAGES.some((type) => err instanceof type)) return true;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (UNREACHABLE_CODES.has(code) || code.startsWith('08'))) return true;
  return UNREACHABLE_NAMES.has(err.name) || UNREACHABLE_MESSAGES.test(err.message);
}
