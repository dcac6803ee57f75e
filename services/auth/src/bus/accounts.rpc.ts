import { authRpcs } from '@chat/contracts';
import { serveRpc } from '@chat/service-kit';
import type { AuthDeps } from '../deps.js';
import { checkAccountPassword, getAccount } from '../domain/accounts.js';

/** Other services look an account up here (the user service builds its profile from it). */
export function serveAccountLookup(deps: AuthDeps) {
  return serveRpc(deps.platform.bus, authRpcs.user, async ({ appId, userId }) => ({ user: await getAccount(deps, appId, userId) }));
}

/** Other services confirm the account holder's password here before a destructive action. */
export function serveVerifyPassword(deps: AuthDeps) {
  return serveRpc(deps.platform.bus, authRpcs.verifyPassword, ({ appId, userId, password }) => checkAccountPassword(deps, appId, userId, password));
}
