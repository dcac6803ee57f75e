import { userEvents } from '@chat/contracts';
import { type RunningConsumer, consumeEvents } from '@chat/service-kit';
import type { PresenceDeps } from '../deps.js';
import { deleteUserPresence } from '../store/presence.store.js';

/** A deleted account's chosen status, custom status and last-seen time are dropped. */
export function consumeAccountDeletions(deps: PresenceDeps): Promise<RunningConsumer> {
  return consumeEvents(deps.platform.bus, {
    durable: 'presence-account-deletion',
    event: userEvents.accountDeleted,
    handler: async (event) => {
      const ref = { appId: event.appId, userId: event.data.userId };
      await deleteUserPresence(deps.platform.db, ref.appId, ref.userId);
      await deps.live.forgetChoice(ref);
    },
  });
}
