import { authRpcs } from '@chat/contracts';
import { type Bus, UnauthorizedError, callRpc } from '@chat/service-kit';
import type { RequestHandler } from 'express';

/**
 * Checks a server route's API key pair with the auth service before the route's limits run, so
 * only a real app's key names a bucket. The auth service checks the pair again (defence in depth).
 */
export function requireAppCredentials(bus: Bus, timeoutMs: number): RequestHandler {
  return async (req, res, next) => {
    const apiKey = req.get('x-api-key');
    const apiSecret = req.get('x-api-secret');
    if (!apiKey || !apiSecret || apiKey.length > 256 || apiSecret.length > 256) throw new UnauthorizedError('invalid API key or secret');
    const { appId } = await callRpc(bus, authRpcs.appCredentials, { apiKey, apiSecret }, timeoutMs);
    if (!appId) throw new UnauthorizedError('invalid API key or secret');
    res.locals.appId = appId;
    next();
  };
}
