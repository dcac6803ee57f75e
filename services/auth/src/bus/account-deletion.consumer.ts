import { userEvents } from '@chat/contracts';
import { type RunningConsumer, consumeEvents } from '@chat/service-kit';
import type { AuthDeps } from '../deps.js';
import { doEraseAccount } from '../domain/accounts.js';

/** When the user service deletes an account, auth removes its credentials and sessions. */
export function consumeAccountDeletions(deps: AuthDeps): Promise<RunningConsumer> {
  return consumeEvents(deps.platform.bus, {
    durable: 'auth-account-deletion',
    event: userEvents.accountDeleted,
    handler: (event) => doEraseAccount(deps, event.appId, event.data.userId),
  });
}
