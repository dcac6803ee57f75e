import type { AccessClaims, AddContactBody, Contact } from '@chat/contracts';
import { type Executor, ForbiddenError, NotFoundError, ValidationError } from '@chat/service-kit';
import type { UserDeps } from '../deps.js';
import { hasBlocked } from '../store/blocks.store.js';
import { type ContactViewRow, deleteContact, findContactView, listContactViews, upsertContact } from '../store/contacts.store.js';
import { shareLockActiveProfiles } from '../store/profiles.store.js';
import { DEFAULT_PAGE_SIZE, parseCursor, toPage } from './pages.js';
import { visibleProfile } from './privacy.js';
import { ensureOwnProfile, ensureProfile } from './profiles.js';

function toContact(row: ContactViewRow, ownerId: string): Contact {
  return { userId: row.id, alias: row.alias, addedAt: row.addedAt.toISOString(), profile: visibleProfile(row, ownerId) };
}

/** The other user of a contact or block: an account of the caller's app, never the caller. */
export async function accessOtherUser(deps: UserDeps, caller: AccessClaims, userId: string): Promise<void> {
  if (userId === caller.sub) throw new ValidationError([{ path: 'userId', message: 'must be another user' }]);
  await ensureOwnProfile(deps, caller);
  if (!(await ensureProfile(deps, caller.app, userId))) throw new NotFoundError('user not found');
}

/**
 * Holds both profiles for a contact or block written in this transaction, so a concurrent
 * account deletion (which removes them) cannot miss it; a deleted one is 404.
 */
export async function lockPair(t: Executor, caller: AccessClaims, userId: string): Promise<void> {
  const active = await shareLockActiveProfiles(t, caller.app, [caller.sub, userId]);
  if (!active.includes(caller.sub)) throw new NotFoundError('account not found');
  if (!active.includes(userId)) throw new NotFoundError('user not found');
}

/** Adds a contact (201) or renames an existing one (200). A user who blocked the caller cannot be added. */
export async function addContact(deps: UserDeps, caller: AccessClaims, body: AddContactBody): Promise<{ contact: Contact; created: boolean }> {
  await accessOtherUser(deps, caller, body.userId);
  return deps.platform.tx(async (t) => {
    await lockPair(t, caller, body.userId);
    if (await hasBlocked(t, caller.app, body.userId, caller.sub)) throw new ForbiddenError('this user does not accept contact requests from you', 'blocked');
    const created = await upsertContact(t, caller.app, caller.sub, body.userId, body.alias ?? null);
    const row = await findContactView(t, caller.app, caller.sub, body.userId);
    return { contact: toContact(row!, caller.sub), created };
  });
}

export async function removeContact(deps: UserDeps, caller: AccessClaims, userId: string): Promise<void> {
  if (!(await deleteContact(deps.platform.db, caller.app, caller.sub, userId))) throw new NotFoundError('contact not found');
}

export async function listContacts(deps: UserDeps, caller: AccessClaims, cursor: string | undefined, limit = DEFAULT_PAGE_SIZE) {
  const rows = await listContactViews(deps.platform.db, caller.app, caller.sub, parseCursor(cursor), limit + 1);
  return toPage(rows, limit, (row) => toContact(row, caller.sub));
}
