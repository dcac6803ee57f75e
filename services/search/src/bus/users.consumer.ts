import { authEvents, userEvents } from '@chat/contracts';
import type { RunningConsumer } from '@chat/service-kit';
import type { SearchDeps } from '../deps.js';
import { indexAccount, indexAccountDeleted, indexEmailVerified, indexPhoneVerified, indexProfile } from '../domain/project-users.js';
import { consumeIntoIndex, project } from './indexer.js';

/** New accounts and verified emails and phones (from the auth service), in stream order. */
export function consumeAccounts(deps: SearchDeps): Promise<RunningConsumer> {
  return consumeIntoIndex(deps, {
    durable: 'search-accounts',
    filter: 'auth.user.>',
    source: 'user',
    projections: [
      project(authEvents.userCreated, (t, e) => indexAccount(t, e.appId, e.data, e.occurredAt)),
      project(authEvents.emailVerified, (t, e) => indexEmailVerified(t, e.data.userId, e.data.email)),
      project(authEvents.phoneVerified, (t, e) => indexPhoneVerified(t, e.appId, e.data.userId, e.data.phone)),
    ],
  });
}

/** Profile changes and account deletion (from the user service). */
export function consumeProfiles(deps: SearchDeps): Promise<RunningConsumer> {
  return consumeIntoIndex(deps, {
    durable: 'search-users',
    filter: 'user.>',
    source: 'user',
    projections: [
      project(userEvents.profileUpdated, (t, e) => indexProfile(t, e.appId, e.data, e.occurredAt)),
      project(userEvents.accountDeleted, (t, e) => indexAccountDeleted(t, e.appId, e.data.userId, e.occurredAt)),
    ],
  });
}
