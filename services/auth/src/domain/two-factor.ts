import { z } from '@chat/contracts';
import { ConflictError, type Executor, NotFoundError, UnauthorizedError } from '@chat/service-kit';
import QRCode from 'qrcode';
import speakeasy from 'speakeasy';
import { decryptSecret, encryptSecret } from '../crypto.js';
import type { AuthDeps } from '../deps.js';
import { checkOwnPassword } from './accounts.js';
import { type UserRow, lockUser, updateTotp } from '../store/users.store.js';

const STEP_S = 30;
const ISSUER = 'Chat';

/** The time step a code belongs to, or undefined when it matches none within ±1 step. */
function matchingStep(secretBase32: string, code: string, now = Date.now()): number | undefined {
  const delta = speakeasy.totp.verifyDelta({ secret: secretBase32, encoding: 'base32', token: code, window: 1, time: Math.floor(now / 1000) });
  if (!delta) return undefined;
  return Math.floor(now / 1000 / STEP_S) + delta.delta;
}

/**
 * Accepts a code at most once: its time step must be later than the last accepted one.
 * Call inside a transaction holding the user's row lock.
 */
export async function checkTotpCode(t: Executor, deps: AuthDeps, user: UserRow, code: string, sealedSecret = user.totpSecret): Promise<void> {
  if (!sealedSecret) throw new UnauthorizedError('invalid TOTP code', 'totp_invalid');
  const step = matchingStep(decryptSecret(sealedSecret, deps.config.TOTP_ENCRYPTION_KEY), code);
  if (step === undefined || step <= user.totpLastStep) throw new UnauthorizedError('invalid TOTP code', 'totp_invalid');
  await updateTotp(t, user.id, { lastStep: step });
}

async function lockedUser(t: Executor, appId: string, userId: string): Promise<UserRow> {
  const user = await lockUser(t, appId, userId);
  if (!user) throw new NotFoundError('user not found');
  return user;
}

export async function setupTwoFactor(deps: AuthDeps, appId: string, userId: string) {
  return deps.platform.tx(async (t) => {
    const user = await lockedUser(t, appId, userId);
    if (user.totpEnabled) throw new ConflictError('two-factor authentication is already on');
    const secret = speakeasy.generateSecret({ length: 20, name: `${ISSUER} (${user.username})`, issuer: ISSUER });
    const otpauthUrl = z.string().parse(secret.otpauth_url);
    await updateTotp(t, user.id, { pendingSecret: encryptSecret(secret.base32, deps.config.TOTP_ENCRYPTION_KEY) });
    return { secret: secret.base32, otpauthUrl, qrCodeDataUrl: await QRCode.toDataURL(otpauthUrl) };
  });
}

export async function enableTwoFactor(deps: AuthDeps, appId: string, userId: string, code: string): Promise<void> {
  await deps.platform.tx(async (t) => {
    const user = await lockedUser(t, appId, userId);
    if (user.totpEnabled) throw new ConflictError('two-factor authentication is already on');
    if (!user.totpPendingSecret) throw new ConflictError('start with POST /auth/2fa/setup');
    await checkTotpCode(t, deps, user, code, user.totpPendingSecret);
    await updateTotp(t, user.id, { secret: user.totpPendingSecret, pendingSecret: null, enabled: true });
  });
}

/**
 * Turns 2FA off with the password and a current code; the password is checked first (a wrong one
 * is 401, counted per account with the other password checks) so no code is spent on it.
 */
export async function disableTwoFactor(deps: AuthDeps, appId: string, userId: string, code: string, password: string): Promise<void> {
  await checkOwnPassword(deps, appId, userId, password, () => new UnauthorizedError('password is wrong'));
  await deps.platform.tx(async (t) => {
    const user = await lockedUser(t, appId, userId);
    if (!user.totpEnabled) throw new ConflictError('two-factor authentication is off');
    await checkTotpCode(t, deps, user, code);
    await updateTotp(t, user.id, { secret: null, pendingSecret: null, enabled: false });
  });
}
