import { authRpcs } from '@chat/contracts';
import { UnauthorizedError, serveRpc } from '@chat/service-kit';
import type { AuthDeps } from '../deps.js';
import { checkAppCredentials } from '../domain/apps.js';

/** The gateway checks a server route's API key pair here before the key names a rate-limit bucket. */
export function serveAppCredentials(deps: AuthDeps) {
  return serveRpc(deps.platform.bus, authRpcs.appCredentials, async ({ apiKey, apiSecret }) => {
    try {
      return { appId: await checkAppCredentials(deps, apiKey, apiSecret) };
    } catch (err) {
      if (err instanceof UnauthorizedError) return { appId: null };
      throw err;
    }
  });
}
