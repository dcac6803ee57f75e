import { authRoutes } from '@chat/contracts';
import type { MountRoute } from '@chat/service-kit';
import type { AuthDeps } from '../deps.js';
import { doRevokeOwnSession, doRevokeSessions, listSessions } from '../domain/sessions.js';

export function mountSessionRoutes(mount: MountRoute, deps: AuthDeps): void {
  mount(authRoutes.listSessions, async ({ auth }) => ({
    data: await listSessions(deps, auth.app, auth.sub, auth.sid),
    page: { nextCursor: null, hasMore: false },
  }));
  mount(authRoutes.revokeSession, ({ auth, params }) => doRevokeOwnSession(deps, auth.app, auth.sub, params.id, 'revoked_by_user'));
  mount(authRoutes.revokeAll, async ({ auth }) => {
    await deps.platform.tx((t) => doRevokeSessions(t, deps, auth.sub, auth.app, 'revoked_by_user', { except: auth.sid }));
  });
}
