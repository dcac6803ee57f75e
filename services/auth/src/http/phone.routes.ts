import { authRoutes } from '@chat/contracts';
import type { MountRoute } from '@chat/service-kit';
import type { RequestHandler } from 'express';
import type { AuthDeps } from '../deps.js';
import { startPhoneVerification, verifyPhone } from '../domain/phone-verification.js';

export function mountPhoneRoutes(mount: MountRoute, deps: AuthDeps, codeLimiter: RequestHandler): void {
  mount(authRoutes.verifyPhoneStart, ({ auth }) => startPhoneVerification(deps, auth.app, auth.sub));
  mount(authRoutes.verifyPhone, ({ auth, body }) => verifyPhone(deps, auth.app, auth.sub, body.code), codeLimiter);
}
