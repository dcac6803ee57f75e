import { type RegisterBody, type User, authEvents } from '@chat/contracts';
import { ConflictError, newId, recordEvent, type Executor } from '@chat/service-kit';
import bcrypt from 'bcrypt';
import type { AuthDeps } from '../deps.js';
import { DEFAULT_APP_ID } from '../store/apps.store.js';
import { type NewUser, type UserRow, UniqueFieldTakenError, insertUser, isVerifiedPhoneTaken } from '../store/users.store.js';

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    appId: row.appId,
    username: row.username,
    displayName: row.displayName,
    ...(row.email ? { email: row.email } : {}),
    ...(row.phone ? { phone: row.phone } : {}),
    emailVerified: row.emailVerified,
    phoneVerified: row.phoneVerified,
    twoFactorEnabled: row.totpEnabled,
    createdAt: row.createdAt.toISOString(),
  };
}

export function hashPassword(deps: AuthDeps, password: string): Promise<string> {
  return bcrypt.hash(password, deps.config.BCRYPT_COST);
}

/** Compares in constant work whether or not the user has a password (no timing signal). */
export async function passwordMatches(deps: AuthDeps, password: string, hash: string | null): Promise<boolean> {
  const tooLong = Buffer.byteLength(password, 'utf8') > 72;
  const ok = await bcrypt.compare(password, hash ?? deps.dummyPasswordHash);
  return ok && hash !== null && !tooLong;
}

/** Inserts the user and records `auth.user.created`; call inside a transaction. */
export async function doCreateUser(t: Executor, user: NewUser): Promise<UserRow> {
  const row = await insertUser(t, user);
  await recordEvent(t, authEvents.userCreated, row.appId, {
    userId: row.id,
    username: row.username,
    displayName: row.displayName,
    ...(row.email ? { email: row.email } : {}),
    ...(row.phone ? { phone: row.phone } : {}),
    ...(row.externalId ? { externalId: row.externalId } : {}),
  });
  return row;
}

/**
 * Registers a first-party account in the default app. A phone another account verified is taken
 * (409, as a taken username or email is); a phone others only claimed is nobody's yet, so the new
 * account's claim starts unverified beside theirs.
 */
export async function doRegister(deps: AuthDeps, body: RegisterBody, t: Executor): Promise<UserRow> {
  if (body.phone && (await isVerifiedPhoneTaken(t, DEFAULT_APP_ID, body.phone))) throw new ConflictError('phone is already taken');
  const passwordHash = await hashPassword(deps, body.password);
  try {
    return await doCreateUser(t, {
      id: newId(),
      appId: DEFAULT_APP_ID,
      username: body.username,
      displayName: body.displayName ?? body.username,
      email: body.email ?? null,
      phone: body.phone ?? null,
      passwordHash,
    });
  } catch (err) {
    if (err instanceof UniqueFieldTakenError) throw new ConflictError(`${err.field} is already taken`);
    throw err;
  }
}
