import { defineRoute } from './routes.js';
import { z } from './zod.js';

export const RealtimeNodeInfo = z
  .object({
    url: z.string().describe('WebSocket URL of the node (`ws://` or `wss://`, path `/ws`)'),
    connections: z.number().int().min(0).describe('Sockets open on the node when it last reported'),
  })
  .openapi('RealtimeNode')
  .describe('A realtime node clients may connect to directly, and how busy it is.');
export type RealtimeNodeInfo = z.infer<typeof RealtimeNodeInfo>;

export const RealtimeEndpoints = z
  .object({
    url: z.string().nullable().describe("The node to connect to now (the least busy), or null when none has reported: use the gateway's /ws"),
    nodes: z.array(RealtimeNodeInfo),
  })
  .openapi('RealtimeEndpoints')
  .describe(
    "Where WebSocket clients connect: the live realtime nodes, least busy first. Connecting to a node directly keeps delivered frames off the gateway; the gateway's `/ws` stays as a single-port fallback.",
  );
export type RealtimeEndpoints = z.infer<typeof RealtimeEndpoints>;

export const realtimeRoutes = {
  endpoints: defineRoute({
    service: 'realtime',
    method: 'get',
    path: '/realtime',
    summary: 'Where WebSocket clients connect (the realtime nodes, least busy first)',
    description:
      "`{ url, nodes: [{ url, connections }] }`: connect to `url` (the least busy node), or to the gateway's `/ws` when it is null; the protocol is described at `/asyncapi.json`.",
    access: 'public',
    status: 200,
    response: RealtimeEndpoints,
  }),
};
