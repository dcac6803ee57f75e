import type { AccessClaims, ContactMatch, ContactSyncBody } from '@chat/contracts';
import type { UserDeps } from '../deps.js';
import { findDiscoverable } from '../store/profile-views.store.js';
import { visibleProfile } from './privacy.js';
import { ensureOwnProfile } from './profiles.js';

/**
 * Finds which of the given phones and emails belong to users of the caller's app who let others
 * find them that way (phones and emails only once verified). The batch size is capped by the
 * contract and the request rate by the gateway's `contactSync` limit, so this cannot be used to
 * walk the directory.
 */
export async function syncContacts(deps: UserDeps, caller: AccessClaims, body: ContactSyncBody) {
  await ensureOwnProfile(deps, caller);
  const phones = [...new Set(body.phones ?? [])];
  const emails = [...new Set(body.emails ?? [])];
  const rows = phones.length + emails.length === 0 ? [] : await findDiscoverable(deps.platform.db, caller.app, caller.sub, phones, emails);
  const data: ContactMatch[] = rows.map((row) => ({
    userId: row.id,
    ...(row.phone ? { phone: row.phone } : {}),
    ...(row.email ? { email: row.email } : {}),
    profile: visibleProfile(row, caller.sub),
  }));
  return { data, page: { nextCursor: null, hasMore: false } };
}
