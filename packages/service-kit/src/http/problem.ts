import { STATUS_CODES } from 'node:http';
import type { ErrorCode, Problem } from '@chat/contracts';
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { currentRequestId } from '../context.js';
import { AppError, isDependencyOutage } from '../errors.js';
import type { Logger } from '../logger.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemBody(status: number, code: ErrorCode, detail: string, errors?: Problem['errors']): Problem {
  const body: Problem = {
    type: `urn:problem:${code}`,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    code,
  };
  const requestId = currentRequestId();
  if (requestId) body.requestId = requestId;
  if (errors?.length) body.errors = errors;
  return body;
}

export function sendProblem(res: Response, status: number, code: ErrorCode, detail: string, errors?: Problem['errors']): void {
  res
    .status(status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problemBody(status, code, detail, errors)));
}

/** body-parser signals its failures with a `type`; each maps to a contract code. */
const BODY_PARSER_ERRORS: Record<string, { status: number; code: ErrorCode; detail: string }> = {
  'entity.parse.failed': { status: 400, code: 'validation_failed', detail: 'body is not valid JSON' },
  'entity.too.large': { status: 413, code: 'payload_too_large', detail: 'body is too large' },
  'encoding.unsupported': { status: 415, code: 'unsupported_media_type', detail: 'content encoding is not supported' },
  'charset.unsupported': { status: 415, code: 'unsupported_media_type', detail: 'charset is not supported' },
  'request.size.invalid': { status: 400, code: 'validation_failed', detail: 'body size does not match content-length' },
  'request.aborted': { status: 400, code: 'validation_failed', detail: 'request was aborted' },
};

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) {
      logger.error('error after response started', { err, path: req.path });
      res.destroy();
      return;
    }
    if (err instanceof AppError) {
      if (err.extra.retryAfterS) res.setHeader('Retry-After', String(err.extra.retryAfterS));
      if (err.status >= 500) logger.warn('request failed', { code: err.code, detail: err.detail, path: req.path });
      sendProblem(res, err.status, err.code, err.detail, err.extra.errors);
      return;
    }
    const parserError = typeof err?.type === 'string' ? BODY_PARSER_ERRORS[err.type] : undefined;
    if (parserError) {
      sendProblem(res, parserError.status, parserError.code, parserError.detail);
      return;
    }
    // Other client errors raised by body-parser (e.g. a gzip body that does not inflate) or by the
    // router (a path parameter that is not valid percent-encoded UTF-8).
    if ((err?.expose === true || err instanceof URIError) && Number.isInteger(err.status) && err.status >= 400 && err.status < 500) {
      sendProblem(res, 400, 'validation_failed', 'body could not be read');
      return;
    }
    if (isDependencyOutage(err)) {
      logger.warn('dependency unavailable', { err: err.message, path: req.path });
      sendProblem(res, 503, 'service_unavailable', 'a dependency is unavailable');
      return;
    }
    logger.error('unhandled error', {
      err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err),
      method: req.method,
      path: req.path,
    });
    sendProblem(res, 500, 'internal', 'internal error');
  };
}

export const notFoundHandler: RequestHandler = (_req, res) => {
  sendProblem(res, 404, 'not_found', 'no such route');
};
