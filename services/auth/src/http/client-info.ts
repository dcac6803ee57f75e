import type { Request } from 'express';
import type { ClientInfo } from '../deps.js';

export function clientInfo(req: Request): ClientInfo {
  return { ip: req.ip ?? null, userAgent: req.get('user-agent')?.slice(0, 256) ?? null, deviceName: null };
}
