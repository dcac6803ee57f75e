import { authRoutes } from '@chat/contracts';
import type { MountRoute } from '@chat/service-kit';
import type { RequestHandler } from 'express';
import type { AuthDeps } from '../deps.js';
import { checkAdminKey, checkAppCredentials, doCreateApp, mintServerToken } from '../domain/apps.js';
import { clientInfo } from './client-info.js';

export function mountTenancyRoutes(mount: MountRoute, deps: AuthDeps): void {
  // Credentials are checked before the body, so a caller without them learns nothing more.
  const adminOnly: RequestHandler = (req, _res, next) => {
    checkAdminKey(deps, req.get('x-admin-key'));
    next();
  };
  const appOnly: RequestHandler = async (req, res, next) => {
    res.locals.appId = await checkAppCredentials(deps, req.get('x-api-key'), req.get('x-api-secret'));
    next();
  };
  mount(authRoutes.createApp, ({ body }) => doCreateApp(deps, body), adminOnly);
  mount(
    authRoutes.serverToken,
    ({ body, req, res }) => mintServerToken(deps, res.locals.appId as string, body.externalId, body.displayName, clientInfo(req)),
    appOnly,
  );
}
