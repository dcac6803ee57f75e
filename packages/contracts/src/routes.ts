import type { z } from './zod.js';

export const SERVICE_NAMES = ['auth', 'user', 'chat', 'message', 'media', 'presence', 'search', 'realtime'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * Who may call a route:
 * - `user`: a valid access token (checked by the gateway and again by the service);
 * - `public`: anyone (rate-limited per IP);
 * - `admin`: the platform admin key in `X-Admin-Key`;
 * - `app`: an app's `X-Api-Key` / `X-Api-Secret`.
 */
export type RouteAccess = 'user' | 'public' | 'admin' | 'app';

export interface RouteDef {
  service: ServiceName;
  method: HttpMethod;
  /** Express-style path below `/api/v1`, e.g. `/auth/sessions/:id`. */
  path: string;
  /** One line: the operation's summary in the OpenAPI document and the fallback for `description`. */
  summary: string;
  /**
   * What the summary leaves out (bodies, answers, limits, rules): the operation's description in
   * the OpenAPI document and the notes column of the owning service's README.
   */
  description?: string;
  access: RouteAccess;
  /** Name of a per-route limit in the gateway's rate-limit table. */
  rateLimit?: string;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /**
   * The body is `multipart/form-data` carrying one file in this field, streamed by the service
   * itself (no JSON body; `body` stays unset).
   */
  multipartFile?: string;
  status: number;
  response?: z.ZodType;
  /** The success body is a file's raw bytes (its type varies), not JSON; `response` stays unset. */
  binaryResponse?: boolean;
  /** Error statuses the route documents besides 400/401/429/5xx. */
  errors?: number[];
}

export function defineRoute<const T extends RouteDef>(def: T): T {
  return def;
}

type Infer<T> = T extends z.ZodType ? z.infer<T> : undefined;
export type RouteBody<R extends RouteDef> = Infer<R['body']>;
export type RouteQuery<R extends RouteDef> = Infer<R['query']>;
export type RouteParams<R extends RouteDef> = Infer<R['params']>;
export type RouteResponse<R extends RouteDef> = R['response'] extends z.ZodType ? z.input<R['response']> : void;
