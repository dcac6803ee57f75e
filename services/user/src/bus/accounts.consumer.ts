import { authEvents } from '@chat/contracts';
import { type RunningConsumer, consumeEvents } from '@chat/service-kit';
import type { UserDeps } from '../deps.js';
import { doCreateProfile, doVerifyEmail, doVerifyPhone } from '../domain/account-events.js';

/** Keeps profiles in step with auth's accounts: one on creation, discoverable email and phone once verified. */
export async function consumeAccountEvents(deps: UserDeps): Promise<RunningConsumer[]> {
  const { bus } = deps.platform;
  return Promise.all([
    consumeEvents(bus, {
      durable: 'user-profiles',
      event: authEvents.userCreated,
      handler: (e) => doCreateProfile(deps, e.appId, e.data, e.occurredAt),
    }),
    consumeEvents(bus, {
      durable: 'user-email-verified',
      event: authEvents.emailVerified,
      handler: (e) => doVerifyEmail(deps, e.appId, e.data.userId, e.data.email),
    }),
    consumeEvents(bus, {
      durable: 'user-phone-verified',
      event: authEvents.phoneVerified,
      handler: (e) => doVerifyPhone(deps, e.appId, e.data.userId, e.data.phone),
    }),
  ]);
}
