import type { Executor } from '@chat/service-kit';
import { type ProfileViewRow, VIEW_COLUMNS, VIEW_FROM } from './profile-views.store.js';

export type BlockViewRow = ProfileViewRow & { blockedAt: Date };

const BLOCK_VIEW = `SELECT ${VIEW_COLUMNS}, b.created_at AS "blockedAt"
  FROM blocks b JOIN ${VIEW_FROM} ON p.app_id = b.app_id AND p.id = b.blocked_id`;

/** Returns whether the block is new (blocking twice changes nothing). */
export async function insertBlock(t: Executor, appId: string, blockerId: string, blockedId: string): Promise<boolean> {
  const r = await t.result('INSERT INTO blocks (app_id, blocker_id, blocked_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [appId, blockerId, blockedId]);
  return r.rowCount === 1;
}

export async function deleteBlock(t: Executor, appId: string, blockerId: string, blockedId: string): Promise<boolean> {
  const r = await t.result('DELETE FROM blocks WHERE app_id = $1 AND blocker_id = $2 AND blocked_id = $3', [appId, blockerId, blockedId]);
  return r.rowCount === 1;
}

export async function hasBlocked(t: Executor, appId: string, blockerId: string, blockedId: string): Promise<boolean> {
  return (await t.oneOrNone('SELECT 1 FROM blocks WHERE app_id = $1 AND blocker_id = $2 AND blocked_id = $3', [appId, blockerId, blockedId])) !== null;
}

export function findBlockView(t: Executor, appId: string, blockerId: string, blockedId: string): Promise<BlockViewRow | null> {
  return t.oneOrNone<BlockViewRow>(`${BLOCK_VIEW} WHERE b.app_id = $<appId> AND b.blocker_id = $<viewer> AND b.blocked_id = $<blockedId>`, {
    appId,
    viewer: blockerId,
    blockedId,
  });
}

/** A page of the users the blocker blocked, in user-id order, after `after` when given. */
export function listBlockViews(t: Executor, appId: string, blockerId: string, after: string | null, limit: number): Promise<BlockViewRow[]> {
  return t.manyOrNone<BlockViewRow>(
    `${BLOCK_VIEW} WHERE b.app_id = $<appId> AND b.blocker_id = $<viewer> AND ($<after>::uuid IS NULL OR b.blocked_id > $<after>::uuid)
     ORDER BY b.blocked_id LIMIT $<limit>`,
    { appId, viewer: blockerId, after, limit },
  );
}

export function listAllBlocks(t: Executor, appId: string, blockerId: string): Promise<{ userId: string; blockedAt: Date }[]> {
  return t.manyOrNone('SELECT blocked_id AS "userId", created_at AS "blockedAt" FROM blocks WHERE app_id = $1 AND blocker_id = $2 ORDER BY blocked_id', [
    appId,
    blockerId,
  ]);
}

export async function deleteBlocksInvolving(t: Executor, appId: string, userId: string): Promise<void> {
  await t.none('DELETE FROM blocks WHERE app_id = $1 AND (blocker_id = $2 OR blocked_id = $2)', [appId, userId]);
}

export interface PairBlockRow {
  i: number;
  aBlockedB: boolean;
  bBlockedA: boolean;
}

/** For each pair (by its index), whether a blocked b and whether b blocked a; one query for all. */
export function blockStatusOfPairs(t: Executor, appId: string, as: string[], bs: string[]): Promise<PairBlockRow[]> {
  return t.manyOrNone<PairBlockRow>(
    `SELECT (q.i - 1)::int AS i,
       EXISTS (SELECT 1 FROM blocks b WHERE b.app_id = $1 AND b.blocker_id = q.a AND b.blocked_id = q.b) AS "aBlockedB",
       EXISTS (SELECT 1 FROM blocks b WHERE b.app_id = $1 AND b.blocker_id = q.b AND b.blocked_id = q.a) AS "bBlockedA"
     FROM unnest($2::uuid[], $3::uuid[]) WITH ORDINALITY AS q(a, b, i)
     ORDER BY q.i`,
    [appId, as, bs],
  );
}
