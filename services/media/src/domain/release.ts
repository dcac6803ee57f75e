import { mediaEvents } from '@chat/contracts';
import { type Executor, recordEvent } from '@chat/service-kit';
import type { MediaDeps } from '../deps.js';
import { attachedAmong, deleteMessageAttachments, mediaOfMessage } from '../store/attachments.store.js';
import { clearAvatar } from '../store/avatars.store.js';
import { type MediaRow, deleteMediaRows, hideMedia, lockMediaRows, lockUndeletedMediaOfOwner } from '../store/media.store.js';
import { objectKeys } from './object-keys.js';

const ACCOUNT_BATCH = 50;

/**
 * Removes media rows with their objects and announces the ready ones. Call inside the
 * transaction that locked the rows: the objects go last, so a store failure rolls the rows back
 * and the event is retried whole.
 */
async function removeMedia(deps: MediaDeps, t: Executor, rows: MediaRow[]): Promise<void> {
  await deleteMediaRows(
    t,
    rows.map((r) => r.id),
  );
  for (const r of rows.filter((r) => r.status === 'ready')) {
    await recordEvent(t, mediaEvents.deleted, r.appId, { mediaId: r.id, ownerId: r.ownerId, objectRemoved: true });
  }
  await deps.storage.remove(rows.flatMap(objectKeys));
}

/**
 * A message was deleted for everyone: it no longer shows its media. Media its owner had already
 * deleted, and that no other message shows, goes from the store. Running it again changes nothing.
 */
export async function doReleaseMessage(deps: MediaDeps, appId: string, messageId: string): Promise<void> {
  await deps.platform.tx(async (t) => {
    const ids = await mediaOfMessage(t, appId, messageId);
    if (ids.length === 0) return;
    const rows = await lockMediaRows(t, ids);
    await deleteMessageAttachments(t, appId, messageId);
    const shown = await attachedAmong(t, ids);
    await removeMedia(
      deps,
      t,
      rows.filter((r) => r.hiddenAt !== null && !shown.has(r.id)),
    );
  });
}

/**
 * An account was deleted: its media go, objects and thumbnails included, except those messages
 * still show, which stay for their readers as deleted by their owner (until those messages go).
 * Nothing of the account is a profile photo any more. Done in batches; running it again finds
 * nothing left to do.
 */
export async function doRemoveAccountMedia(deps: MediaDeps, appId: string, userId: string): Promise<void> {
  await deps.platform.tx((t) => clearAvatar(t, appId, userId));
  for (;;) {
    const handled = await deps.platform.tx(async (t) => {
      const rows = await lockUndeletedMediaOfOwner(t, appId, userId, ACCOUNT_BATCH);
      const shown = await attachedAmong(
        t,
        rows.map((r) => r.id),
      );
      const kept = rows.filter((r) => shown.has(r.id));
      await hideMedia(
        t,
        kept.map((r) => r.id),
      );
      for (const r of kept) await recordEvent(t, mediaEvents.deleted, r.appId, { mediaId: r.id, ownerId: r.ownerId, objectRemoved: false });
      await removeMedia(
        deps,
        t,
        rows.filter((r) => !shown.has(r.id)),
      );
      return rows.length;
    });
    if (handled < ACCOUNT_BATCH) return;
  }
}
