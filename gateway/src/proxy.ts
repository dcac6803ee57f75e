import { Agent } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { type Logger, clientAddressOf, currentRequestId, problemBody } from '@chat/service-kit';
import type { Express, Request, RequestHandler } from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { Counter, type Registry } from 'prom-client';

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN']);

function writeProblem(res: ServerResponse | Socket, status: number, code: 'service_unavailable' | 'timeout', detail: string): void {
  if (!('writeHead' in res)) {
    res.destroy();
    return;
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/problem+json' });
  res.end(JSON.stringify(problemBody(status, code, detail)));
}

export type UpstreamErrorKind = 'unreachable' | 'timeout' | '5xx';
/** Counts a failed call to a service: `gateway_upstream_errors_total{upstream,kind}`. */
export type UpstreamErrors = (upstream: string, kind: UpstreamErrorKind) => void;

/** `gateway_upstream_errors_total` on the gateway's registry. */
export function upstreamErrorCounter(registry: Registry): UpstreamErrors {
  const counter = new Counter({
    name: 'gateway_upstream_errors_total',
    help: 'Proxied requests a service failed: unreachable (503), silent past PROXY_TIMEOUT_MS (504), or answered with 5xx',
    labelNames: ['upstream', 'kind'],
    registers: [registry],
  });
  return (upstream, kind) => counter.inc({ upstream, kind });
}

export interface ProxyOptions {
  service: string;
  target: string;
  timeoutMs: number;
  logger: Logger;
  errors: UpstreamErrors;
  /** Strip this prefix before forwarding (`/api/v1`). */
  stripPrefix?: string;
}

/**
 * A keep-alive proxy to one service. The client IP is forwarded as the gateway saw it (never the
 * client's own X-Forwarded-For); problem+json from the service passes through untouched; an
 * unreachable service is 503 and a silent one 504, never a hang.
 */
export function createServiceProxy(opts: ProxyOptions): RequestHandler {
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const startedAt = new WeakMap<object, number>();
  const proxy = createProxyMiddleware<Request, ServerResponse>({
    target: opts.target,
    agent,
    // Only the upstream call is timed: a timeout on the client's socket as well (http-proxy's
    // `timeout`) fired first and dropped the connection where a 504 was due.
    proxyTimeout: opts.timeoutMs,
    pathRewrite: (path) => {
      const prefix = opts.stripPrefix;
      return prefix && path.startsWith(prefix) ? path.slice(prefix.length) || '/' : path;
    },
    on: {
      error: (err, req, res) => {
        const code = (err as NodeJS.ErrnoException).code ?? '';
        const elapsed = Date.now() - (startedAt.get(req) ?? Date.now());
        opts.logger.warn('proxy error', { service: opts.service, code, err: err.message });
        // The proxy's own timeout surfaces as a reset; tell it apart by how long we waited.
        if (!UNREACHABLE.has(code) && elapsed >= opts.timeoutMs - 50) {
          opts.errors(opts.service, 'timeout');
          writeProblem(res, 504, 'timeout', `${opts.service} service did not answer in time`);
        } else {
          opts.errors(opts.service, 'unreachable');
          writeProblem(res, 503, 'service_unavailable', `${opts.service} service is unavailable`);
        }
      },
      proxyRes: (proxyRes) => {
        if ((proxyRes.statusCode ?? 0) >= 500) opts.errors(opts.service, '5xx');
      },
    },
  });
  // Headers go onto the incoming request, which the proxy copies: its `proxyReq` hook runs only
  // once a socket is assigned, possibly after the headers were flushed (setting them then throws).
  return (req, res, next) => {
    startedAt.set(req, Date.now());
    req.headers['x-forwarded-for'] = req.ip ?? '';
    const requestId = currentRequestId();
    if (requestId) req.headers['x-request-id'] = requestId;
    return proxy(req, res, next);
  };
}

/**
 * Upgrades bypass express: the client IP is resolved as `req.ip` would be (X-Forwarded-For only
 * from `TRUST_PROXY` peers) and forwarded in place of whatever X-Forwarded-For the client sent,
 * so the realtime node (which trusts the gateway) counts sockets per real client.
 */
export function forwardClientAddress(app: Express, req: IncomingMessage): void {
  req.headers['x-forwarded-for'] = clientAddressOf(app)(req);
}

/** Proxies WebSocket upgrades on `path` to the realtime service. */
export function createWebSocketProxy(target: string, path: string, logger: Logger, errors: UpstreamErrors) {
  return createProxyMiddleware<IncomingMessage, ServerResponse>({
    target,
    ws: true,
    pathFilter: path,
    on: {
      // A client socket destroyed (not ended) would leave its upstream socket open: close them together.
      proxyReqWs: (proxyReq, _req, socket) => {
        proxyReq.once('upgrade', (_res, upstream: Socket) => {
          socket.once('close', () => upstream.destroy());
          upstream.once('close', () => socket.destroy());
        });
      },
      error: (err, _req, res) => {
        logger.warn('websocket proxy error', { err: err.message });
        errors('realtime', 'unreachable');
        writeProblem(res, 503, 'service_unavailable', 'realtime service is unavailable');
      },
    },
  });
}
