import { authEvents, authRoutes, authRpcs } from './auth.js';
import { chatEvents, chatRoutes, chatRpcs } from './chat.js';
import type { EventDef } from './events.js';
import { mediaEvents, mediaRoutes, mediaRpcs } from './media.js';
import { messageEvents, messageRoutes, messageRpcs } from './message.js';
import { presenceRoutes, presenceRpcs } from './presence.js';
import { realtimeRoutes } from './realtime-endpoints.js';
import type { RouteDef } from './routes.js';
import type { RpcDef } from './rpc.js';
import { searchRoutes } from './search.js';
import { userEvents, userRoutes, userRpcs } from './user.js';

/**
 * Route descriptors by group: a group's name and a descriptor's key make its `operationId`
 * (`auth` + `register` → `authRegister`), so renaming a key renames the operation.
 */
export const routeGroups = {
  auth: authRoutes,
  media: mediaRoutes,
  user: userRoutes,
  chat: chatRoutes,
  message: messageRoutes,
  presence: presenceRoutes,
  search: searchRoutes,
  realtime: realtimeRoutes,
} satisfies Record<string, Record<string, RouteDef>>;

/** Every public route of the system; the gateway routes by it and the OpenAPI document is built from it. */
export const allRoutes: RouteDef[] = Object.values(routeGroups).flatMap((group) => Object.values(group));

const operationIds = new Map<RouteDef, string>(
  Object.entries(routeGroups).flatMap(([group, routes]) =>
    Object.entries(routes).map(([key, route]): [RouteDef, string] => [route, group + key[0]!.toUpperCase() + key.slice(1)]),
  ),
);

/** The route's `operationId`; a descriptor outside `routeGroups` (a test's own) is named by method and path. */
export function operationIdOf(route: RouteDef): string {
  const known = operationIds.get(route);
  if (known) return known;
  const words = route.path.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return route.method + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

/** Every event published on the `evt.>` stream, in the order of the services' files. */
export const allEvents: EventDef[] = [authEvents, userEvents, mediaEvents, chatEvents, messageEvents].flatMap((group) => Object.values(group));

/** Every rpc a service serves. */
export const allRpcs: RpcDef[] = [authRpcs, userRpcs, mediaRpcs, chatRpcs, messageRpcs, presenceRpcs].flatMap((group) => Object.values(group));
