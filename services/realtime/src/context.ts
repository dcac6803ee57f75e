import type { messageRpcs } from '@chat/contracts';
import type { RpcBatcher } from '@chat/service-kit';
import type { PresenceReporter } from './outbound/presence.js';
import type { RealtimeDeps } from './deps.js';
import type { Hub } from './hub/hub.js';
import type { Delivery } from './primitives/delivery.js';

/** What op handlers and socket code of one node work with. */
export interface NodeContext {
  deps: RealtimeDeps;
  hub: Hub;
  delivery: Delivery;
  presence: PresenceReporter;
  /** `message.send`s on their way to the message service, batched. */
  sends: RpcBatcher<typeof messageRpcs.send>;
}
