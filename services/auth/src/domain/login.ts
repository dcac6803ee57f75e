import type { AuthResult, LoginBody, RegisterBody } from '@chat/contracts';
import { UnauthorizedError } from '@chat/service-kit';
import type { AuthDeps, ClientInfo } from '../deps.js';
import { DEFAULT_APP_ID } from '../store/apps.store.js';
import { findUserByIdentifier, lockUser } from '../store/users.store.js';
import { issueEmailVerification } from './email-tokens.js';
import { doCreateSession } from './sessions.js';
import { checkTotpCode } from './two-factor.js';
import { doRegister, passwordMatches, toUser } from './users.js';

export async function register(deps: AuthDeps, body: RegisterBody, client: ClientInfo): Promise<AuthResult> {
  const { result, verification } = await deps.platform.tx(async (t) => {
    const user = await doRegister(deps, body, t);
    const tokens = await doCreateSession(t, deps, user, { ...client, deviceName: body.deviceName ?? client.deviceName });
    const verification = user.email ? await issueEmailVerification(t, deps, user.id, user.email) : undefined;
    return { result: { user: toUser(user), tokens }, verification };
  });
  await verification?.send();
  return result;
}

/**
 * The one spelling of a login identifier, used both to look the account up and to count its
 * failed logins, so no respelling reaches an account under a counter of its own.
 */
export function normalizeIdentifier(identifier: string): string {
  return identifier.trim().toLowerCase();
}

/**
 * Logs in by username, email or phone. Unknown user and wrong password give the same answer after
 * the same work; the TOTP step is checked only after the password.
 */
export async function login(deps: AuthDeps, body: LoginBody, client: ClientInfo): Promise<AuthResult> {
  const { db } = deps.platform;
  const user = await findUserByIdentifier(db, DEFAULT_APP_ID, normalizeIdentifier(body.identifier));
  const ok = await passwordMatches(deps, body.password, user?.passwordHash ?? null);
  if (!user || !ok) throw new UnauthorizedError('invalid credentials');
  if (user.totpEnabled && !body.totp) throw new UnauthorizedError('a TOTP code is required', 'totp_required');
  return deps.platform.tx(async (t) => {
    if (body.totp) {
      const locked = await lockUser(t, user.appId, user.id);
      if (!locked) throw new UnauthorizedError('invalid credentials');
      if (locked.totpEnabled) await checkTotpCode(t, deps, locked, body.totp);
    }
    const tokens = await doCreateSession(t, deps, user, { ...client, deviceName: body.deviceName ?? client.deviceName });
    return { user: toUser(user), tokens };
  });
}
