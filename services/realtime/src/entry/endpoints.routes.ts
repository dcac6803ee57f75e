import { realtimeRoutes } from '@chat/contracts';
import type { MountRoute } from '@chat/service-kit';
import type { RealtimeDeps } from '../deps.js';
import { listNodes } from '../store/nodes.store.js';

/** `GET /realtime`: where clients connect, so delivered frames need not cross the gateway. */
export function mountEndpointRoutes(mount: MountRoute, deps: Pick<RealtimeDeps, 'redis' | 'keys'>): void {
  mount(realtimeRoutes.endpoints, async () => {
    const nodes = await listNodes(deps.redis, deps.keys);
    return { url: nodes[0]?.url ?? null, nodes };
  });
}
