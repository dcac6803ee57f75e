import { type AccessClaims, chatRpcs, userRpcs } from '@chat/contracts';
import { NotFoundError, callRpc } from '@chat/service-kit';
import type { MediaDeps } from '../deps.js';
import { chatsShowing } from '../store/attachments.store.js';
import { avatarUserOf } from '../store/avatars.store.js';
import { type MediaRow, findMediaInApp, findOwnMedia } from '../store/media.store.js';

/** Most chats asked about one media (it is normally posted in one or a few). */
const CHATS_CHECKED = 20;

/** The caller's own media, not deleted by them; 404 otherwise (for uploads and changes). */
export async function accessOwnMedia(deps: MediaDeps, caller: AccessClaims, id: string): Promise<MediaRow> {
  const row = await findOwnMedia(deps.platform.db, caller.app, caller.sub, id);
  if (!row) throw new NotFoundError('media not found');
  return row;
}

/**
 * Whether the user may read a chat in which a message shows the media, now: a member the chat
 * service lets `read` it, and the media posted after any truncation of the chat's history. A
 * chat that answers with an error only counts when no other chat lets the user in.
 */
async function readableThroughChats(deps: MediaDeps, row: MediaRow, userId: string): Promise<boolean> {
  const posted = await chatsShowing(deps.platform.db, row.appId, row.id, CHATS_CHECKED);
  const answers = await Promise.allSettled(
    posted.map(async ({ chatId, lastPostedAt }) => {
      const auth = await callRpc(deps.platform.bus, chatRpcs.authorize, { appId: row.appId, chatId, userId, action: 'read' }, deps.config.RPC_TIMEOUT_MS);
      return auth.allowed && (auth.truncatedAt === null || lastPostedAt > new Date(auth.truncatedAt));
    }),
  );
  if (answers.some((a) => a.status === 'fulfilled' && a.value)) return true;
  const failure = answers.find((a) => a.status === 'rejected');
  if (failure) throw failure.reason;
  return false;
}

/** Whether the media is the owner's current profile photo and the user may see that photo. */
async function readableAsAvatar(deps: MediaDeps, row: MediaRow, userId: string): Promise<boolean> {
  if (row.hiddenAt !== null || (await avatarUserOf(deps.platform.db, row.id)) !== row.ownerId) return false;
  const { users } = await callRpc(
    deps.platform.bus,
    userRpcs.privacy,
    { appId: row.appId, userIds: [row.ownerId], viewerId: userId },
    deps.config.RPC_TIMEOUT_MS,
  );
  const owner = users[0];
  return owner !== undefined && !owner.deleted && owner.viewer?.canSeeProfilePhoto === true;
}

/**
 * The media `caller` may read, or 404 whether it does not exist, is of another app, or is not
 * theirs to see. Readers: the owner (until they delete it); current members of a chat where a
 * message shows it; whoever may see the owner's profile photo while it is that photo.
 */
export async function accessMedia(deps: MediaDeps, caller: AccessClaims, id: string): Promise<MediaRow> {
  const row = await findMediaInApp(deps.platform.db, caller.app, id);
  if (!row) throw new NotFoundError('media not found');
  if (row.ownerId === caller.sub && row.hiddenAt === null) return row;
  if (row.status === 'ready' && ((await readableThroughChats(deps, row, caller.sub)) || (await readableAsAvatar(deps, row, caller.sub)))) return row;
  throw new NotFoundError('media not found');
}
