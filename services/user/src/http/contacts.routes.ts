import { userRoutes } from '@chat/contracts';
import type { MountRoute } from '@chat/service-kit';
import type { UserDeps } from '../deps.js';
import { blockUser, listBlocked, unblockUser } from '../domain/blocks.js';
import { addContact, listContacts, removeContact } from '../domain/contacts.js';
import { syncContacts } from '../domain/discovery.js';

export function mountContactRoutes(mount: MountRoute, deps: UserDeps): void {
  mount(userRoutes.listContacts, ({ auth, query }) => listContacts(deps, auth, query.cursor, query.limit));
  mount(userRoutes.addContact, async ({ auth, body, setStatus }) => {
    const { contact, created } = await addContact(deps, auth, body);
    if (!created) setStatus(200);
    return contact;
  });
  mount(userRoutes.syncContacts, ({ auth, body }) => syncContacts(deps, auth, body));
  mount(userRoutes.removeContact, ({ auth, params }) => removeContact(deps, auth, params.userId));
}

export function mountBlockRoutes(mount: MountRoute, deps: UserDeps): void {
  mount(userRoutes.listBlocked, ({ auth, query }) => listBlocked(deps, auth, query.cursor, query.limit));
  mount(userRoutes.block, async ({ auth, body, setStatus }) => {
    const { blocked, created } = await blockUser(deps, auth, body.userId);
    if (!created) setStatus(200);
    return blocked;
  });
  mount(userRoutes.unblock, ({ auth, params }) => unblockUser(deps, auth, params.userId));
}
