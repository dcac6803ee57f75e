import { type AccessClaims, type BlockedUser, type BlockPairStatus, userEvents } from '@chat/contracts';
import { NotFoundError, recordEvent } from '@chat/service-kit';
import type { UserDeps } from '../deps.js';
import { type BlockViewRow, blockStatusOfPairs, deleteBlock, findBlockView, insertBlock, listBlockViews } from '../store/blocks.store.js';
import { accessOtherUser, lockPair } from './contacts.js';
import { DEFAULT_PAGE_SIZE, parseCursor, toPage } from './pages.js';
import { visibleProfile } from './privacy.js';

function toBlockedUser(row: BlockViewRow, blockerId: string): BlockedUser {
  return { userId: row.id, blockedAt: row.blockedAt.toISOString(), profile: visibleProfile(row, blockerId) };
}

/** Blocks a user (201), or confirms an existing block (200). */
export async function blockUser(deps: UserDeps, caller: AccessClaims, userId: string): Promise<{ blocked: BlockedUser; created: boolean }> {
  await accessOtherUser(deps, caller, userId);
  return deps.platform.tx(async (t) => {
    await lockPair(t, caller, userId);
    const created = await insertBlock(t, caller.app, caller.sub, userId);
    if (created) await recordEvent(t, userEvents.blockAdded, caller.app, { userId: caller.sub, blockedUserId: userId });
    const row = await findBlockView(t, caller.app, caller.sub, userId);
    return { blocked: toBlockedUser(row!, caller.sub), created };
  });
}

export async function unblockUser(deps: UserDeps, caller: AccessClaims, userId: string): Promise<void> {
  if (!(await deleteBlock(deps.platform.db, caller.app, caller.sub, userId))) throw new NotFoundError('block not found');
}

export async function listBlocked(deps: UserDeps, caller: AccessClaims, cursor: string | undefined, limit = DEFAULT_PAGE_SIZE) {
  const rows = await listBlockViews(deps.platform.db, caller.app, caller.sub, parseCursor(cursor), limit + 1);
  return toPage(rows, limit, (row) => toBlockedUser(row, caller.sub));
}

/** Whether each pair is blocked in either direction, in the order asked. */
export async function getBlockStatus(deps: UserDeps, appId: string, pairs: { a: string; b: string }[]): Promise<BlockPairStatus[]> {
  const rows = await blockStatusOfPairs(
    deps.platform.db,
    appId,
    pairs.map((p) => p.a),
    pairs.map((p) => p.b),
  );
  return rows.map((row) => {
    const { a, b } = pairs[row.i]!;
    return { a, b, blocked: row.aBlockedB || row.bBlockedA, aBlockedB: row.aBlockedB, bBlockedA: row.bBlockedA };
  });
}
