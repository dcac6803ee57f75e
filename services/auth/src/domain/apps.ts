import { createHash } from 'node:crypto';
import type { AuthResult, CreateAppBody } from '@chat/contracts';
import { type Executor, NotFoundError, UnauthorizedError, newId } from '@chat/service-kit';
import { hashToken, randomToken, safeEqual } from '../crypto.js';
import type { AuthDeps, ClientInfo } from '../deps.js';
import { findAppByApiKey, insertApp } from '../store/apps.store.js';
import { type NewUser, type UserRow, UniqueFieldTakenError, findUserByExternalId, updateDisplayName } from '../store/users.store.js';
import { doCreateSession } from './sessions.js';
import { doCreateUser, toUser } from './users.js';

/** The admin routes exist only when a platform admin key is configured. */
export function checkAdminKey(deps: AuthDeps, presented: string | undefined): void {
  const key = deps.config.PLATFORM_ADMIN_KEY;
  if (!key) throw new NotFoundError('no such route');
  if (!presented || !safeEqual(presented, key)) throw new UnauthorizedError('invalid admin key');
}

export async function doCreateApp(deps: AuthDeps, body: CreateAppBody) {
  const apiKey = `ak_${randomToken(16)}`;
  const apiSecret = `as_${randomToken(32)}`;
  const app = await insertApp(deps.platform.db, { id: newId(), name: body.name, apiKey, apiSecretHash: hashToken(apiSecret) });
  return { app: { id: app.id, name: app.name, createdAt: app.createdAt.toISOString() }, apiKey, apiSecret };
}

/** The app whose key and secret were presented, or 401. */
export async function checkAppCredentials(deps: AuthDeps, apiKey: string | undefined, apiSecret: string | undefined): Promise<string> {
  const app = apiKey ? await findAppByApiKey(deps.platform.db, apiKey) : null;
  // Compare even when the key is unknown, so the answer takes as long either way.
  const matches = safeEqual(hashToken(apiSecret ?? ''), app?.apiSecretHash ?? '');
  if (!app || !apiSecret || !matches) throw new UnauthorizedError('invalid API key or secret');
  return app.id;
}

/** An externalId that is already a valid username keeps its name; any other gets a stable derived one. */
function usernameFor(externalId: string): string {
  if (/^[a-z0-9_.]{3,32}$/.test(externalId)) return externalId;
  return `u_${createHash('sha256').update(externalId).digest('hex').slice(0, 24)}`;
}

/**
 * Creates the app's user for its externalId, or returns the one a concurrent first call created.
 * Call inside a transaction (each attempt runs in a savepoint).
 */
async function doCreateAppUser(t: Executor, base: Omit<NewUser, 'username'> & { externalId: string }): Promise<UserRow> {
  let username = usernameFor(base.externalId);
  for (let attempt = 1; ; attempt++) {
    try {
      return await t.tx((sp) => doCreateUser(sp, { ...base, username }));
    } catch (err) {
      if (!(err instanceof UniqueFieldTakenError)) throw err;
      // Whichever unique index reported it first, a concurrent first call for this externalId may
      // have won: its row is committed, so visible now.
      const existing = await findUserByExternalId(t, base.appId, base.externalId);
      if (existing) return existing;
      if (attempt === 2) throw err;
      // Otherwise the derived username belongs to another user: take a random one.
      username = `u_${newId().replace(/-/g, '').slice(-24)}`;
    }
  }
}

/** Mints tokens for an app's user, creating the user on first sight of its externalId. */
export async function mintServerToken(
  deps: AuthDeps,
  appId: string,
  externalId: string,
  displayName: string | undefined,
  client: ClientInfo,
): Promise<AuthResult> {
  return deps.platform.tx(async (t) => {
    let user = await findUserByExternalId(t, appId, externalId);
    if (!user) {
      user = await doCreateAppUser(t, { id: newId(), appId, displayName: displayName ?? externalId, externalId });
    } else if (displayName && displayName !== user.displayName) {
      user = await updateDisplayName(t, user.id, displayName);
    }
    const tokens = await doCreateSession(t, deps, user, { ...client, deviceName: client.deviceName ?? 'server' });
    return { user: toUser(user), tokens };
  });
}
