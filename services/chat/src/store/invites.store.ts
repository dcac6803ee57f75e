import type { Executor } from '@chat/service-kit';

export interface InviteRow {
  code: string;
  chatId: string;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date | null;
  maxUses: number | null;
  uses: number;
  revokedAt: Date | null;
}

const COLUMNS = `code, chat_id AS "chatId", created_by AS "createdBy", created_at AS "createdAt", expires_at AS "expiresAt",
  max_uses AS "maxUses", uses, revoked_at AS "revokedAt"`;

export interface NewInvite {
  code: string;
  appId: string;
  chatId: string;
  createdBy: string;
  expiresAt: Date | null;
  maxUses: number | null;
}

export function insertInvite(t: Executor, invite: NewInvite): Promise<InviteRow> {
  return t.one<InviteRow>(
    `INSERT INTO invite_links (code, app_id, chat_id, created_by, expires_at, max_uses)
     VALUES ($<code>, $<appId>, $<chatId>, $<createdBy>, $<expiresAt>, $<maxUses>) RETURNING ${COLUMNS}`,
    invite,
  );
}

/** The chat an invite code of this app leads to (whether it is still usable is checked under the lock). */
export async function chatIdOfInvite(t: Executor, appId: string, code: string): Promise<string | null> {
  const row = await t.oneOrNone<{ chatId: string }>('SELECT chat_id AS "chatId" FROM invite_links WHERE app_id = $1 AND code = $2', [appId, code]);
  return row?.chatId ?? null;
}

/** Locks a link that is not revoked, expired or used up; null otherwise. Call inside the chat's row lock. */
export function lockUsableInvite(t: Executor, chatId: string, code: string): Promise<InviteRow | null> {
  return t.oneOrNone<InviteRow>(
    `SELECT ${COLUMNS} FROM invite_links
     WHERE chat_id = $1 AND code = $2 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now()) AND (max_uses IS NULL OR uses < max_uses)
     FOR UPDATE`,
    [chatId, code],
  );
}

export async function countInviteUse(t: Executor, code: string): Promise<void> {
  await t.none('UPDATE invite_links SET uses = uses + 1 WHERE code = $1', [code]);
}

/** False when the chat has no such link, or it was revoked already. */
export async function revokeInvite(t: Executor, chatId: string, code: string): Promise<boolean> {
  const r = await t.result('UPDATE invite_links SET revoked_at = now() WHERE chat_id = $1 AND code = $2 AND revoked_at IS NULL', [chatId, code]);
  return r.rowCount === 1;
}

export async function deleteInvitesOfChat(t: Executor, chatId: string): Promise<void> {
  await t.none('DELETE FROM invite_links WHERE chat_id = $1', [chatId]);
}
