import { authRoutes } from '@chat/contracts';
import type { MountRoute } from '@chat/service-kit';
import type { AuthDeps } from '../deps.js';
import { verifyEmail } from '../domain/email-tokens.js';
import { changePassword, requestPasswordReset, resetPassword } from '../domain/passwords.js';

export function mountPasswordRoutes(mount: MountRoute, deps: AuthDeps): void {
  mount(authRoutes.changePassword, ({ auth, body }) => changePassword(deps, auth.app, auth.sub, auth.sid, body.currentPassword, body.newPassword));
  mount(authRoutes.forgotPassword, async ({ body }) => requestPasswordReset(deps, body.email));
  mount(authRoutes.resetPassword, ({ body }) => resetPassword(deps, body.token, body.newPassword));
  mount(authRoutes.verifyEmail, ({ body }) => verifyEmail(deps, body.token));
}
