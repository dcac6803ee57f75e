import type { IncomingMessage } from 'node:http';
import type { Express } from 'express';

/** Resolves the client address of a raw request the way `req.ip` would. */
export type ClientAddress = (req: IncomingMessage) => string;

/**
 * The client address of a raw request (a WebSocket upgrade, which bypasses express) as `app`
 * resolves `req.ip`: `X-Forwarded-For` only as far as its `trust proxy` peers vouch for it, else the
 * socket's remote address.
 */
export function clientAddressOf(app: Express): ClientAddress {
  return (req) => {
    const ip: unknown = Reflect.get(app.request, 'ip', { app, headers: req.headers, socket: req.socket });
    return typeof ip === 'string' && ip !== '' ? ip : (req.socket.remoteAddress ?? 'unknown');
  };
}
