import { presenceRoutes } from '@chat/contracts';
import type { MountRoute } from '@chat/service-kit';
import type { PresenceDeps } from '../deps.js';
import { listPresences } from '../domain/presences.js';
import { doSetStatus } from '../domain/status.js';
import { listTyping } from '../domain/typing.js';

export function mountPresenceRoutes(mount: MountRoute, deps: PresenceDeps): void {
  mount(presenceRoutes.users, async ({ auth, query }) => ({ data: (await listPresences(deps, auth.app, auth.sub, query.ids)).presences }));
  mount(presenceRoutes.setMe, ({ auth, body }) => doSetStatus(deps, { appId: auth.app, userId: auth.sub }, body));
  mount(presenceRoutes.typing, async ({ auth, params }) => ({ data: await listTyping(deps, auth.app, auth.sub, params.id) }));
}
