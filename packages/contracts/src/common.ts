import { z } from './zod.js';

export const Uuid = z.uuid().openapi({ example: '0190f3c2-6a1e-7c3b-9d2f-1a2b3c4d5e6f' });
export const Timestamp = z.iso.datetime({ offset: true }).openapi({ example: '2026-01-01T12:00:00.000Z' });

export const ErrorCode = z.enum([
  'validation_failed',
  'unauthorized',
  'token_expired',
  'forbidden',
  'not_found',
  'conflict',
  'rate_limited',
  'totp_required',
  'totp_invalid',
  'payload_too_large',
  'unsupported_media_type',
  'chat_frozen',
  'slow_mode',
  'banned',
  'edit_window_passed',
  'blocked',
  'service_unavailable',
  'timeout',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: ErrorCode,
    requestId: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem')
  .describe('RFC 9457 problem details, the body of every error response.');
export type Problem = z.infer<typeof Problem>;

export const PageInfo = z
  .object({ nextCursor: z.string().nullable(), hasMore: z.boolean() })
  .openapi('PageInfo')
  .describe('Cursor paging: pass `nextCursor` as `cursor` for the next page while `hasMore`.');

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), page: PageInfo });
}

export const PageQuery = z.strictObject({
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});

export const IdParams = z.strictObject({ id: Uuid });
