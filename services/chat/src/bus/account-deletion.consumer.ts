import { userEvents } from '@chat/contracts';
import { type RunningConsumer, consumeEvents } from '@chat/service-kit';
import type { ChatDeps } from '../deps.js';
import { removeAccountFromChats } from '../domain/leave.js';

/** When the user service deletes an account, it leaves every chat (ownership handed over as on leave). */
export function consumeAccountDeletions(deps: ChatDeps): Promise<RunningConsumer> {
  return consumeEvents(deps.platform.bus, {
    durable: 'chat-account-deletion',
    event: userEvents.accountDeleted,
    handler: (event) => removeAccountFromChats(deps, event.appId, event.data.userId),
  });
}
