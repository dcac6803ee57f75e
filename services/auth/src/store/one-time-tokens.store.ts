import type { Executor } from '@chat/service-kit';

export type OneTimePurpose = 'verify_email' | 'reset_password';

export interface OneTimeTokenRow {
  userId: string;
  appId: string;
  email: string;
}

export async function insertOneTimeToken(
  t: Executor,
  row: { tokenHash: string; purpose: OneTimePurpose; userId: string; email: string; expiresAt: Date },
): Promise<void> {
  await t.none('INSERT INTO one_time_tokens (token_hash, purpose, user_id, email, expires_at) VALUES ($1, $2, $3, $4, $5)', [
    row.tokenHash,
    row.purpose,
    row.userId,
    row.email,
    row.expiresAt,
  ]);
}

/** Uses a token once: returns its row only if it exists, has this purpose, is unused and unexpired. */
export function consumeOneTimeToken(t: Executor, tokenHash: string, purpose: OneTimePurpose): Promise<OneTimeTokenRow | null> {
  return t.oneOrNone<OneTimeTokenRow>(
    `UPDATE one_time_tokens SET used_at = now()
     WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
     RETURNING user_id AS "userId", email, (SELECT app_id FROM users u WHERE u.id = user_id) AS "appId"`,
    [tokenHash, purpose],
  );
}

/** Voids the user's other unused tokens of a purpose (a new reset link replaces the old). */
export async function voidOneTimeTokens(t: Executor, userId: string, purpose: OneTimePurpose): Promise<void> {
  await t.none('UPDATE one_time_tokens SET used_at = now() WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL', [userId, purpose]);
}

/** Drops every pending verification and reset token of a user. */
export async function deleteOneTimeTokensOf(t: Executor, userId: string): Promise<void> {
  await t.none('DELETE FROM one_time_tokens WHERE user_id = $1', [userId]);
}
