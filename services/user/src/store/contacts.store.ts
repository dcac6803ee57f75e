import type { Executor } from '@chat/service-kit';
import { type ProfileViewRow, VIEW_COLUMNS, VIEW_FROM } from './profile-views.store.js';

export type ContactViewRow = ProfileViewRow & { alias: string | null; addedAt: Date };

const CONTACT_VIEW = `SELECT ${VIEW_COLUMNS}, c.alias, c.created_at AS "addedAt"
  FROM contacts c JOIN ${VIEW_FROM} ON p.app_id = c.app_id AND p.id = c.contact_id`;

/**
 * Adds a contact, or renames it when it exists (an absent alias keeps the old one).
 * Returns whether it was new.
 */
export async function upsertContact(t: Executor, appId: string, ownerId: string, contactId: string, alias: string | null): Promise<boolean> {
  const row = await t.one<{ created: boolean }>(
    `INSERT INTO contacts (app_id, owner_id, contact_id, alias) VALUES ($1, $2, $3, $4)
     ON CONFLICT (app_id, owner_id, contact_id) DO UPDATE SET alias = COALESCE(EXCLUDED.alias, contacts.alias)
     RETURNING (xmax = 0) AS created`,
    [appId, ownerId, contactId, alias],
  );
  return row.created;
}

export async function deleteContact(t: Executor, appId: string, ownerId: string, contactId: string): Promise<boolean> {
  const r = await t.result('DELETE FROM contacts WHERE app_id = $1 AND owner_id = $2 AND contact_id = $3', [appId, ownerId, contactId]);
  return r.rowCount === 1;
}

/** One of the owner's contacts, seen by the owner. */
export function findContactView(t: Executor, appId: string, ownerId: string, contactId: string): Promise<ContactViewRow | null> {
  return t.oneOrNone<ContactViewRow>(`${CONTACT_VIEW} WHERE c.app_id = $<appId> AND c.owner_id = $<viewer> AND c.contact_id = $<contactId>`, {
    appId,
    viewer: ownerId,
    contactId,
  });
}

/** A page of the owner's contacts in user-id order, after `after` (a user id) when given. */
export function listContactViews(t: Executor, appId: string, ownerId: string, after: string | null, limit: number): Promise<ContactViewRow[]> {
  return t.manyOrNone<ContactViewRow>(
    `${CONTACT_VIEW} WHERE c.app_id = $<appId> AND c.owner_id = $<viewer> AND ($<after>::uuid IS NULL OR c.contact_id > $<after>::uuid)
     ORDER BY c.contact_id LIMIT $<limit>`,
    { appId, viewer: ownerId, after, limit },
  );
}

export function listAllContacts(t: Executor, appId: string, ownerId: string): Promise<{ userId: string; alias: string | null; addedAt: Date }[]> {
  return t.manyOrNone('SELECT contact_id AS "userId", alias, created_at AS "addedAt" FROM contacts WHERE app_id = $1 AND owner_id = $2 ORDER BY contact_id', [
    appId,
    ownerId,
  ]);
}

/** Removes the user's contacts and every entry naming the user in someone else's list. */
export async function deleteContactsInvolving(t: Executor, appId: string, userId: string): Promise<void> {
  await t.none('DELETE FROM contacts WHERE app_id = $1 AND (owner_id = $2 OR contact_id = $2)', [appId, userId]);
}
