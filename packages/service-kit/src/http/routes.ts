import { type AccessClaims, type RouteBody, type RouteDef, type RouteParams, type RouteQuery, type RouteResponse, z } from '@chat/contracts';
import type { Express, Request, RequestHandler, Response } from 'express';
import { AppError } from '../errors.js';
import { parseInput, rejectNulCharacters } from './validate.js';

export interface RouteContext<R extends RouteDef> {
  body: RouteBody<R>;
  query: RouteQuery<R>;
  params: RouteParams<R>;
  /** The verified token's claims on `user` routes. */
  auth: R['access'] extends 'user' ? AccessClaims : undefined;
  req: Request;
  res: Response;
  /** Overrides the route's documented status (e.g. 200 for an existing resource instead of 201). */
  setStatus(status: number): void;
}

export type RouteHandler<R extends RouteDef> = (ctx: RouteContext<R>) => Promise<RouteResponse<R>>;

export interface RouteMounterOptions {
  /** Verifies the bearer token of `user` routes. */
  authenticate?: (req: Request) => Promise<AccessClaims>;
  /** Checks each response against the contract: a drift becomes a 500 instead of a silent break. */
  validateResponses: boolean;
}

const EMPTY_BODY = z.strictObject({});

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

function bodyOf(req: Request): unknown {
  if (req.body !== undefined) return req.body;
  if (hasBody(req)) throw new AppError(415, 'unsupported_media_type', 'body must be application/json');
  return {};
}

export type MountRoute = <R extends RouteDef>(route: R, handler: RouteHandler<R>, ...middlewares: RequestHandler[]) => void;

/**
 * Returns `mount(route, handler, ...middlewares)`: authenticates `user` routes, runs the
 * middlewares (e.g. rate limiters keyed by the caller), validates input strictly, runs the
 * handler and sends its result with the route's status.
 */
export function createRouteMounter(app: Express, opts: RouteMounterOptions): MountRoute {
  return (route, handler, ...middlewares) => {
    const authenticate: RequestHandler = async (req, res, next) => {
      if (route.access === 'user') {
        if (!opts.authenticate) throw new Error(`route ${route.path} needs an authenticator`);
        res.locals.auth = await opts.authenticate(req);
      }
      next();
    };
    app[route.method](route.path, authenticate, ...middlewares, async (req: Request, res: Response) => {
      const body = bodyOf(req);
      rejectNulCharacters(body);
      rejectNulCharacters(req.query, 'query');
      rejectNulCharacters(req.params, 'params');
      const ctx = {
        params: route.params ? parseInput(route.params, req.params, 'params') : undefined,
        query: route.query ? parseInput(route.query, req.query, 'query') : undefined,
        body: parseInput(route.body ?? EMPTY_BODY, body),
        auth: res.locals.auth as AccessClaims | undefined,
        req,
        res,
        setStatus: (status: number) => {
          res.status(status);
        },
      } as RouteContext<typeof route>;
      res.status(route.status);
      const result = await handler(ctx);
      if (res.statusCode === 204 || route.response === undefined) {
        res.end();
        return;
      }
      if (opts.validateResponses) {
        const check = route.response.safeParse(result);
        if (!check.success) throw new Error(`response of ${route.method} ${route.path} breaks its contract: ${check.error.message}`);
      }
      res.json(result);
    });
  };
}
