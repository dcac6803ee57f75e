import type { IncomingMessage } from 'node:http';
import type { Express } from 'express';

/** Resolves the client address of a request the way `req.ip` would. */
export type ClientAddress = (req: IncomingMessage) => string;

/**
 * The client address of an upgrade request as the node's express app resolves `req.ip` for its
 * HTTP requests: `X-Forwarded-For` only as far as `TRUST_PROXY` peers vouch for it, else the
 * socket's remote address. Upgrades bypass express, so its getter is applied to the raw request.
 */
export function clientAddressOf(app: Express): ClientAddress {
  return (req) => {
    const ip: unknown = Reflect.get(app.request, 'ip', { app, headers: req.headers, socket: req.socket });
    return typeof ip === 'string' && ip !== '' ? ip : (req.socket.remoteAddress ?? 'unknown');
  };
}
