import { defineRoute } from './routes.js';
import { z } from './zod.js';

/** A realtime node clients may connect to directly, and how busy it is. */
export const RealtimeNodeInfo = z
  .object({
    url: z.string().describe('WebSocket URL of the node (`ws://` or `wss://`, path `/ws`)'),
    connections: z.number().int().min(0).describe('Sockets open on the node when it last reported'),
  })
  .openapi('RealtimeNode');
export type RealtimeNodeInfo = z.infer<typeof RealtimeNodeInfo>;

/**
 * Where WebSocket clients connect: the live realtime nodes, least busy first. Connecting to a node
 * directly keeps delivered frames off the gateway; the gateway's `/ws` stays as a single-port
 * fallback.
 */
export const RealtimeEndpoints = z
  .object({
    url: z.string().nullable().describe("The node to connect to now (the least busy), or null when none has reported: use the gateway's /ws"),
    nodes: z.array(RealtimeNodeInfo),
  })
  .openapi('RealtimeEndpoints');
export type RealtimeEndpoints = z.infer<typeof RealtimeEndpoints>;

export const realtimeRoutes = {
  endpoints: defineRoute({
    service: 'realtime',
    method: 'get',
    path: '/realtime',
    summary: 'Where WebSocket clients connect (the realtime nodes, least busy first)',
    access: 'public',
    status: 200,
    response: RealtimeEndpoints,
  }),
};
