import { authEvents } from '@chat/contracts';
import { type Executor, ValidationError, recordEvent } from '@chat/service-kit';
import { hashToken, randomToken } from '../crypto.js';
import type { AuthDeps } from '../deps.js';
import { type OneTimePurpose, consumeOneTimeToken, insertOneTimeToken, voidOneTimeTokens } from '../store/one-time-tokens.store.js';
import { markEmailVerified } from '../store/users.store.js';

/** A mail to send once the transaction that created its token has committed. */
export interface PendingMail {
  send(): Promise<void>;
}

async function issueToken(t: Executor, purpose: OneTimePurpose, userId: string, email: string, ttlS: number): Promise<string> {
  await voidOneTimeTokens(t, userId, purpose);
  const token = randomToken(32);
  await insertOneTimeToken(t, { tokenHash: hashToken(token), purpose, userId, email, expiresAt: new Date(Date.now() + ttlS * 1000) });
  return token;
}

function pendingMail(deps: AuthDeps, to: string, subject: string, text: string): PendingMail {
  return {
    send: () =>
      deps.mailer.send({ to, subject, text }).catch((err: unknown) => {
        deps.platform.logger.error('mail not sent', { subject, err: err instanceof Error ? err.message : String(err) });
      }),
  };
}

export async function issueEmailVerification(t: Executor, deps: AuthDeps, userId: string, email: string): Promise<PendingMail> {
  const token = await issueToken(t, 'verify_email', userId, email, deps.config.EMAIL_TOKEN_TTL_S);
  const link = `${deps.config.PUBLIC_URL}/verify-email?token=${token}`;
  return pendingMail(deps, email, 'Confirm your email address', `Confirm your email address: ${link}\n\ntoken: ${token}\n`);
}

export async function issuePasswordReset(t: Executor, deps: AuthDeps, userId: string, email: string): Promise<PendingMail> {
  const token = await issueToken(t, 'reset_password', userId, email, deps.config.RESET_TOKEN_TTL_S);
  const link = `${deps.config.PUBLIC_URL}/reset-password?token=${token}`;
  return pendingMail(deps, email, 'Reset your password', `Reset your password: ${link}\n\ntoken: ${token}\n\nIf you did not ask for this, ignore this mail.\n`);
}

export const invalidTokenError = (): ValidationError =>
  new ValidationError([{ path: 'token', message: 'invalid, used or expired token' }], 'invalid, used or expired token');

/** Uses a verification token once; the address must still be the account's. */
export async function verifyEmail(deps: AuthDeps, token: string): Promise<void> {
  await deps.platform.tx(async (t) => {
    const row = await consumeOneTimeToken(t, hashToken(token), 'verify_email');
    if (!row || !(await markEmailVerified(t, row.userId, row.email))) throw invalidTokenError();
    await recordEvent(t, authEvents.emailVerified, row.appId, { userId: row.userId, email: row.email });
  });
}
