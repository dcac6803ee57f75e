import { ErrorCode } from './common.js';
import { z } from './zod.js';

export interface RpcDef<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  /** `rpc.<service>.<method>` */
  subject: string;
  request: Req;
  response: Res;
  /** What it answers and its rules; generated into the serving service's README. */
  description?: string;
}

export function defineRpc<const Req extends z.ZodType, const Res extends z.ZodType>(
  subject: string,
  request: Req,
  response: Res,
  description?: string,
): RpcDef<Req, Res> {
  return description === undefined ? { subject, request, response } : { subject, request, response, description };
}

/** What a handler that failed sends back instead of leaving the caller to time out. */
export const RpcErrorReply = z.object({
  ok: z.literal(false),
  /** `retryAfterS`: when to try again (a refusal for load), as an HTTP answer's `Retry-After`. */
  error: z.object({ code: ErrorCode, status: z.number().int(), detail: z.string(), retryAfterS: z.number().int().positive().optional() }),
});
