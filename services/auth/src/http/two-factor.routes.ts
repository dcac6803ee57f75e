import { authRoutes } from '@chat/contracts';
import type { MountRoute } from '@chat/service-kit';
import type { RequestHandler } from 'express';
import type { AuthDeps } from '../deps.js';
import { disableTwoFactor, enableTwoFactor, setupTwoFactor } from '../domain/two-factor.js';

export function mountTwoFactorRoutes(mount: MountRoute, deps: AuthDeps, totpLimiter: RequestHandler): void {
  mount(authRoutes.twoFactorSetup, ({ auth }) => setupTwoFactor(deps, auth.app, auth.sub));
  mount(authRoutes.twoFactorEnable, ({ auth, body }) => enableTwoFactor(deps, auth.app, auth.sub, body.code), totpLimiter);
  mount(authRoutes.twoFactorDisable, ({ auth, body }) => disableTwoFactor(deps, auth.app, auth.sub, body.code, body.password), totpLimiter);
}
