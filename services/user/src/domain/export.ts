import type { AccessClaims, AccountExport } from '@chat/contracts';
import { NotFoundError } from '@chat/service-kit';
import type { UserDeps } from '../deps.js';
import { listAllBlocks } from '../store/blocks.store.js';
import { listAllContacts } from '../store/contacts.store.js';
import { findProfile } from '../store/profiles.store.js';
import { findSettings } from '../store/settings.store.js';
import { exportChatsAndMessages } from './export-remote.js';
import { ensureOwnProfile } from './profiles.js';
import { toSettings } from './settings.js';

/** Everything held about the caller, in one document: this service's data plus chats and sent messages. */
export async function exportAccount(deps: UserDeps, caller: AccessClaims): Promise<AccountExport> {
  await ensureOwnProfile(deps, caller);
  const remote = await exportChatsAndMessages(deps, caller.app, caller.sub);
  // One snapshot, so this service's parts agree with each other.
  return deps.platform.db.tx(async (t) => {
    await t.none('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const profile = await findProfile(t, caller.app, caller.sub);
    const settings = await findSettings(t, caller.app, caller.sub);
    const contacts = await listAllContacts(t, caller.app, caller.sub);
    const blocked = await listAllBlocks(t, caller.app, caller.sub);
    if (!profile || !settings) throw new NotFoundError('account not found');
    return {
      exportedAt: new Date().toISOString(),
      profile: {
        id: profile.id,
        username: profile.username,
        displayName: profile.displayName,
        bio: profile.bio,
        avatarMediaId: profile.avatarMediaId,
        statusText: profile.statusText,
        deleted: profile.deletedAt !== null,
        createdAt: profile.createdAt.toISOString(),
        email: profile.email,
        phone: profile.phone,
      },
      settings: toSettings(settings),
      contacts: contacts.map((c) => ({ userId: c.userId, alias: c.alias, addedAt: c.addedAt.toISOString() })),
      blocked: blocked.map((b) => ({ userId: b.userId, blockedAt: b.blockedAt.toISOString() })),
      ...remote,
    };
  });
}
