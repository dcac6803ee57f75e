import { authRoutes } from '@chat/contracts';
import type { MountRoute } from '@chat/service-kit';
import type { RequestHandler } from 'express';
import type { AuthDeps } from '../deps.js';
import { login, register } from '../domain/login.js';
import { doRefresh, doRevokeOwnSession } from '../domain/sessions.js';
import { toUser } from '../domain/users.js';
import { findUserById } from '../store/users.store.js';
import { NotFoundError } from '@chat/service-kit';
import { clientInfo } from './client-info.js';

export function mountAccountRoutes(mount: MountRoute, deps: AuthDeps, loginLimiters: RequestHandler[]): void {
  mount(authRoutes.register, ({ body, req }) => register(deps, body, clientInfo(req)));
  mount(authRoutes.login, ({ body, req }) => login(deps, body, clientInfo(req)), ...loginLimiters);
  mount(authRoutes.refresh, async ({ body, req }) => ({ tokens: await doRefresh(deps, body.refreshToken, clientInfo(req)) }));
  mount(authRoutes.logout, ({ auth }) => doRevokeOwnSession(deps, auth.app, auth.sub, auth.sid, 'logout'));
  mount(authRoutes.me, async ({ auth }) => {
    const user = await findUserById(deps.platform.db, auth.app, auth.sub);
    if (!user) throw new NotFoundError('user not found');
    return { user: toUser(user) };
  });
}
