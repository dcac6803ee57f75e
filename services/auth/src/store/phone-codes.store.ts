import type { Executor } from '@chat/service-kit';

export interface PhoneCodeRow {
  phone: string;
  codeHash: string;
  expiresAt: Date;
}

/** Stores the account's one pending code, replacing an earlier one. */
export async function upsertPhoneCode(t: Executor, row: { userId: string; phone: string; codeHash: string; expiresAt: Date }): Promise<void> {
  await t.none(
    `INSERT INTO phone_codes (user_id, phone, code_hash, expires_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (user_id) DO UPDATE SET phone = excluded.phone, code_hash = excluded.code_hash,
       expires_at = excluded.expires_at, created_at = now()`,
    [row.userId, row.phone, row.codeHash, row.expiresAt],
  );
}

/** The account's pending code if it has not expired; call holding the user's row lock. */
export function findLivePhoneCode(t: Executor, userId: string): Promise<PhoneCodeRow | null> {
  return t.oneOrNone<PhoneCodeRow>(
    `SELECT phone, code_hash AS "codeHash", expires_at AS "expiresAt" FROM phone_codes WHERE user_id = $1 AND expires_at > now()`,
    [userId],
  );
}

/** Drops the pending codes of these accounts (a used code, or numbers they no longer claim). */
export async function deletePhoneCodes(t: Executor, userIds: string[]): Promise<void> {
  if (userIds.length > 0) await t.none('DELETE FROM phone_codes WHERE user_id = ANY($1::uuid[])', [userIds]);
}
