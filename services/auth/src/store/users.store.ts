import { type Executor, isUniqueViolation } from '@chat/service-kit';

export interface UserRow {
  id: string;
  appId: string;
  username: string;
  displayName: string;
  email: string | null;
  phone: string | null;
  externalId: string | null;
  passwordHash: string | null;
  emailVerified: boolean;
  phoneVerified: boolean;
  totpSecret: string | null;
  totpPendingSecret: string | null;
  totpEnabled: boolean;
  totpLastStep: number;
  createdAt: Date;
  deletedAt: Date | null;
}

const COLUMNS = `id, app_id AS "appId", username, display_name AS "displayName", email, phone,
  external_id AS "externalId", password_hash AS "passwordHash", email_verified AS "emailVerified",
  phone_verified AS "phoneVerified", totp_secret AS "totpSecret", totp_pending_secret AS "totpPendingSecret", totp_enabled AS "totpEnabled",
  totp_last_step::float8 AS "totpLastStep", created_at AS "createdAt", deleted_at AS "deletedAt"`;

export class UniqueFieldTakenError extends Error {
  constructor(readonly field: 'username' | 'email' | 'phone' | 'externalId') {
    super(`${field} taken`);
  }
}

const UNIQUE_FIELDS: Record<string, UniqueFieldTakenError['field']> = {
  users_app_username: 'username',
  users_app_email: 'email',
  users_app_verified_phone: 'phone',
  users_app_external_id: 'externalId',
};

export interface NewUser {
  id: string;
  appId: string;
  username: string;
  displayName: string;
  email?: string | null;
  phone?: string | null;
  externalId?: string | null;
  passwordHash?: string | null;
}

/** Runs a write, turning a unique violation of a known index into UniqueFieldTakenError. */
async function translatingUniqueViolations<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    const field = isUniqueViolation(err) ? UNIQUE_FIELDS[(err as { constraint: string }).constraint] : undefined;
    if (field) throw new UniqueFieldTakenError(field);
    throw err;
  }
}

/**
 * Inserts a user; a taken username/email/externalId becomes UniqueFieldTakenError. A new phone is
 * unverified, so it never conflicts.
 */
export function insertUser(t: Executor, u: NewUser): Promise<UserRow> {
  return translatingUniqueViolations(() =>
    t.one<UserRow>(
      `INSERT INTO users (id, app_id, username, display_name, email, phone, external_id, password_hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
      [u.id, u.appId, u.username, u.displayName, u.email ?? null, u.phone ?? null, u.externalId ?? null, u.passwordHash ?? null],
    ),
  );
}

export function findUserById(t: Executor, appId: string, id: string): Promise<UserRow | null> {
  return t.oneOrNone<UserRow>(`SELECT ${COLUMNS} FROM users WHERE app_id = $1 AND id = $2`, [appId, id]);
}

/** Row-locks the user for a read-modify-write (TOTP step, password change). */
export function lockUser(t: Executor, appId: string, id: string): Promise<UserRow | null> {
  return t.oneOrNone<UserRow>(`SELECT ${COLUMNS} FROM users WHERE app_id = $1 AND id = $2 FOR UPDATE`, [appId, id]);
}

/** Whether an account of the app holds `phone` verified (only a verified number is anybody's). */
export async function isVerifiedPhoneTaken(t: Executor, appId: string, phone: string): Promise<boolean> {
  const row = await t.oneOrNone('SELECT 1 FROM users WHERE app_id = $1 AND phone = $2 AND phone_verified', [appId, phone]);
  return row !== null;
}

/**
 * Looks a normalized login identifier (see `normalizeIdentifier`) up as username, email or
 * verified phone (an unverified number may be claimed by several accounts), within one app. The
 * identifier is not lower-cased again here: PostgreSQL's lower() folds some non-ASCII letters
 * (İ → i) that JavaScript keeps apart, which would let a respelling reach the account under a
 * failed-login counter of its own.
 */
export function findUserByIdentifier(t: Executor, appId: string, normalizedIdentifier: string): Promise<UserRow | null> {
  return t.oneOrNone<UserRow>(
    `SELECT ${COLUMNS} FROM users
     WHERE app_id = $1 AND (lower(username) = $2 OR lower(email) = $2 OR (phone = $2 AND phone_verified))
     LIMIT 1`,
    [appId, normalizedIdentifier],
  );
}

export function findUserByEmail(t: Executor, appId: string, email: string): Promise<UserRow | null> {
  return t.oneOrNone<UserRow>(`SELECT ${COLUMNS} FROM users WHERE app_id = $1 AND lower(email) = lower($2)`, [appId, email]);
}

export function findUserByExternalId(t: Executor, appId: string, externalId: string): Promise<UserRow | null> {
  return t.oneOrNone<UserRow>(`SELECT ${COLUMNS} FROM users WHERE app_id = $1 AND external_id = $2`, [appId, externalId]);
}

export async function updatePasswordHash(t: Executor, id: string, passwordHash: string): Promise<void> {
  await t.none('UPDATE users SET password_hash = $2 WHERE id = $1', [id, passwordHash]);
}

export async function updateDisplayName(t: Executor, id: string, displayName: string): Promise<UserRow> {
  return t.one<UserRow>(`UPDATE users SET display_name = $2 WHERE id = $1 RETURNING ${COLUMNS}`, [id, displayName]);
}

/** Marks verified only when the address is still the one the token was sent to. */
export async function markEmailVerified(t: Executor, id: string, email: string): Promise<boolean> {
  const r = await t.result('UPDATE users SET email_verified = true WHERE id = $1 AND lower(email) = lower($2)', [id, email]);
  return r.rowCount === 1;
}

/**
 * Marks the user's phone verified when it is still `phone`; UniqueFieldTakenError('phone') when
 * another account of the app has verified it. False when the account's number changed meanwhile.
 */
export function markPhoneVerified(t: Executor, id: string, phone: string): Promise<boolean> {
  return translatingUniqueViolations(async () => {
    const r = await t.result('UPDATE users SET phone_verified = true WHERE id = $1 AND phone = $2', [id, phone]);
    return r.rowCount === 1;
  });
}

/**
 * Drops other accounts' unverified claims of a number one account has just verified; returns their
 * ids. Rows locked right now are skipped rather than waited for: one may be another account
 * verifying the same number, which waits on this transaction's index entry (a deadlock otherwise).
 * A claim left behind is harmless: an unverified number is never unique, matched or a login.
 */
export function clearUnverifiedPhoneClaims(t: Executor, appId: string, phone: string, ownerId: string): Promise<string[]> {
  return t.map(
    `UPDATE users SET phone = NULL WHERE id IN (
       SELECT id FROM users WHERE app_id = $1 AND phone = $2 AND id <> $3 AND NOT phone_verified FOR UPDATE SKIP LOCKED)
     RETURNING id`,
    [appId, phone, ownerId],
    (r: { id: string }) => r.id,
  );
}

export async function updateTotp(
  t: Executor,
  id: string,
  fields: { secret?: string | null; pendingSecret?: string | null; enabled?: boolean; lastStep?: number },
): Promise<void> {
  await t.none(
    `UPDATE users SET
       totp_secret = CASE WHEN $2 THEN $3 ELSE totp_secret END,
       totp_pending_secret = CASE WHEN $4 THEN $5 ELSE totp_pending_secret END,
       totp_enabled = COALESCE($6, totp_enabled),
       totp_last_step = COALESCE($7, totp_last_step)
     WHERE id = $1`,
    [id, 'secret' in fields, fields.secret ?? null, 'pendingSecret' in fields, fields.pendingSecret ?? null, fields.enabled ?? null, fields.lastStep ?? null],
  );
}

/**
 * Removes every credential of a deleted account and marks it deleted; the row stays so the id
 * resolves and the username stays taken. Returns false when it was deleted already.
 */
export async function eraseCredentials(t: Executor, id: string, displayName: string): Promise<boolean> {
  const r = await t.result(
    `UPDATE users SET display_name = $2, email = NULL, phone = NULL, external_id = NULL, password_hash = NULL,
       email_verified = false, phone_verified = false, totp_secret = NULL, totp_pending_secret = NULL, totp_enabled = false, deleted_at = now()
     WHERE id = $1 AND deleted_at IS NULL`,
    [id, displayName],
  );
  return r.rowCount === 1;
}
