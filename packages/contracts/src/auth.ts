import { IdParams, Timestamp, Uuid, pageOf } from './common.js';
import { defineEvent } from './events.js';
import { defineRoute } from './routes.js';
import { defineRpc } from './rpc.js';
import { z } from './zod.js';

const utf8Bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** Stored lower-case, so uniqueness is case-insensitive. */
export const Username = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9_.]{3,32}$/, 'username must be 3-32 characters of a-z, 0-9, _ and .');
/** bcrypt reads at most 72 bytes: longer passwords are refused rather than silently truncated. */
export const Password = z
  .string()
  .min(8, 'password must be at least 8 characters')
  .refine((s) => utf8Bytes(s) <= 72, 'password must be at most 72 bytes');
export const Email = z.string().trim().toLowerCase().max(254).pipe(z.email());
export const Phone = z.string().trim().regex(/^\+[1-9]\d{6,14}$/, 'phone must be in E.164 form, e.g. +15551234567');
export const DisplayName = z.string().trim().min(1).max(64);
export const TotpCode = z.string().regex(/^\d{6}$/, 'code must be 6 digits');
const OpaqueToken = z.string().min(16).max(512);

export const User = z
  .object({
    id: Uuid,
    appId: Uuid,
    username: z.string(),
    displayName: z.string(),
    email: z.string().optional(),
    phone: z.string().optional(),
    emailVerified: z.boolean(),
    /** Until verified, the phone is private to its owner: not discoverable, not unique, no login by it. */
    phoneVerified: z.boolean(),
    twoFactorEnabled: z.boolean(),
    createdAt: Timestamp,
  })
  .openapi('User');
export type User = z.infer<typeof User>;

export const Tokens = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string(),
    accessTokenExpiresAt: Timestamp,
    refreshTokenExpiresAt: Timestamp,
  })
  .openapi('Tokens');
export type Tokens = z.infer<typeof Tokens>;

export const AuthResult = z.object({ user: User, tokens: Tokens }).openapi('AuthResult');
export type AuthResult = z.infer<typeof AuthResult>;

export const RegisterBody = z.strictObject({
  username: Username,
  password: Password,
  email: Email.optional(),
  phone: Phone.optional(),
  displayName: DisplayName.optional(),
  deviceName: z.string().trim().min(1).max(64).optional(),
});
export type RegisterBody = z.infer<typeof RegisterBody>;

export const LoginBody = z.strictObject({
  identifier: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(1024),
  totp: TotpCode.optional(),
  deviceName: z.string().trim().min(1).max(64).optional(),
});
export type LoginBody = z.infer<typeof LoginBody>;

export const RefreshBody = z.strictObject({ refreshToken: OpaqueToken });
export const TokensResult = z.object({ tokens: Tokens }).openapi('TokensResult');
export const MeResult = z.object({ user: User });

export const Session = z
  .object({
    id: Uuid,
    deviceName: z.string().nullable(),
    createdAt: Timestamp,
    lastUsedAt: Timestamp,
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    current: z.boolean(),
  })
  .openapi('Session');
export type Session = z.infer<typeof Session>;

export const ChangePasswordBody = z.strictObject({ currentPassword: z.string().min(1).max(1024), newPassword: Password });
export const ForgotPasswordBody = z.strictObject({ email: Email });
export const ResetPasswordBody = z.strictObject({ token: OpaqueToken, newPassword: Password });
export const VerifyEmailBody = z.strictObject({ token: OpaqueToken });
export const TotpCodeBody = z.strictObject({ code: TotpCode });
/** Turning 2FA off takes the password as well as a code: a stolen session alone cannot do it. */
export const DisableTwoFactorBody = z.strictObject({ code: TotpCode, password: z.string().min(1).max(1024) });
export const PhoneCode = z.string().regex(/^\d{6}$/, 'code must be 6 digits');
export const VerifyPhoneBody = z.strictObject({ code: PhoneCode });
export const TwoFactorSetup = z
  .object({ secret: z.string(), otpauthUrl: z.string(), qrCodeDataUrl: z.string() })
  .openapi('TwoFactorSetup');

export const App = z.object({ id: Uuid, name: z.string(), createdAt: Timestamp }).openapi('App');
export const CreateAppBody = z.strictObject({ name: z.string().trim().min(1).max(100) });
export type CreateAppBody = z.infer<typeof CreateAppBody>;
export const CreateAppResult = z.object({ app: App, apiKey: z.string(), apiSecret: z.string() }).openapi('CreateAppResult');
export const ServerTokenBody = z.strictObject({
  externalId: z.string().trim().min(1).max(128),
  displayName: DisplayName.optional(),
});

export const Jwk = z.looseObject({ kty: z.string(), kid: z.string(), alg: z.string(), use: z.string() });
export const Jwks = z.object({ keys: z.array(Jwk) }).openapi('Jwks');
export type Jwks = z.infer<typeof Jwks>;

/** Claims of an access token. */
export const AccessClaims = z.object({ sub: Uuid, app: Uuid, sid: Uuid });
export type AccessClaims = z.infer<typeof AccessClaims>;

const auth = { service: 'auth' } as const;

export const authRoutes = {
  register: defineRoute({ ...auth, method: 'post', path: '/auth/register', summary: 'Create an account', access: 'public', rateLimit: 'register', body: RegisterBody, status: 201, response: AuthResult, errors: [409] }),
  login: defineRoute({ ...auth, method: 'post', path: '/auth/login', summary: 'Log in with username, email or phone', access: 'public', rateLimit: 'login', body: LoginBody, status: 200, response: AuthResult }),
  refresh: defineRoute({ ...auth, method: 'post', path: '/auth/refresh', summary: 'Rotate a refresh token', access: 'public', rateLimit: 'refresh', body: RefreshBody, status: 200, response: TokensResult }),
  logout: defineRoute({ ...auth, method: 'post', path: '/auth/logout', summary: 'End the current session', access: 'user', status: 204 }),
  me: defineRoute({ ...auth, method: 'get', path: '/auth/me', summary: 'The signed-in account', access: 'user', status: 200, response: MeResult }),
  listSessions: defineRoute({ ...auth, method: 'get', path: '/auth/sessions', summary: 'Active sessions of the account', access: 'user', status: 200, response: pageOf(Session) }),
  revokeSession: defineRoute({ ...auth, method: 'delete', path: '/auth/sessions/:id', summary: 'Revoke one session', access: 'user', params: IdParams, status: 204, errors: [404] }),
  revokeAll: defineRoute({ ...auth, method: 'post', path: '/auth/sessions/revoke-all', summary: 'Revoke every other session', access: 'user', status: 204 }),
  changePassword: defineRoute({ ...auth, method: 'post', path: '/auth/change-password', summary: 'Change password (revokes other sessions)', access: 'user', rateLimit: 'sensitive', body: ChangePasswordBody, status: 204 }),
  forgotPassword: defineRoute({ ...auth, method: 'post', path: '/auth/forgot-password', summary: 'Email a password reset link (to a verified address only)', access: 'public', rateLimit: 'mail', body: ForgotPasswordBody, status: 202 }),
  resetPassword: defineRoute({ ...auth, method: 'post', path: '/auth/reset-password', summary: 'Set a new password with a reset token (revokes all sessions)', access: 'public', rateLimit: 'sensitive', body: ResetPasswordBody, status: 204 }),
  verifyPhoneStart: defineRoute({ ...auth, method: 'post', path: '/auth/verify-phone/start', summary: "Text a one-time code to the caller's phone", access: 'user', rateLimit: 'mail', status: 202, errors: [409] }),
  verifyPhone: defineRoute({ ...auth, method: 'post', path: '/auth/verify-phone', summary: "Confirm the caller's phone with the texted code", access: 'user', rateLimit: 'sensitive', body: VerifyPhoneBody, status: 204, errors: [409] }),
  verifyEmail: defineRoute({ ...auth, method: 'post', path: '/auth/verify-email', summary: 'Confirm an email address', access: 'public', rateLimit: 'sensitive', body: VerifyEmailBody, status: 204 }),
  twoFactorSetup: defineRoute({ ...auth, method: 'post', path: '/auth/2fa/setup', summary: 'Start TOTP set-up', access: 'user', status: 200, response: TwoFactorSetup, errors: [409] }),
  twoFactorEnable: defineRoute({ ...auth, method: 'post', path: '/auth/2fa/enable', summary: 'Turn TOTP on', access: 'user', rateLimit: 'sensitive', body: TotpCodeBody, status: 204, errors: [409] }),
  twoFactorDisable: defineRoute({ ...auth, method: 'post', path: '/auth/2fa/disable', summary: 'Turn TOTP off (code and password)', access: 'user', rateLimit: 'sensitive', body: DisableTwoFactorBody, status: 204, errors: [409] }),
  createApp: defineRoute({ ...auth, method: 'post', path: '/admin/apps', summary: 'Create an app (tenant) with an API key', access: 'admin', body: CreateAppBody, status: 201, response: CreateAppResult, errors: [404] }),
  serverToken: defineRoute({ ...auth, method: 'post', path: '/server/token', summary: "Mint tokens for an app's user by externalId", access: 'app', rateLimit: 'server', body: ServerTokenBody, status: 200, response: AuthResult }),
};

export const authEvents = {
  userCreated: defineEvent(
    'auth.user.created',
    z.object({
      userId: Uuid,
      username: z.string(),
      displayName: z.string(),
      email: z.string().optional(),
      phone: z.string().optional(),
      externalId: z.string().optional(),
    }),
  ),
  sessionRevoked: defineEvent('auth.session.revoked', z.object({ userId: Uuid, sessionId: Uuid, reason: z.string() })),
  emailVerified: defineEvent('auth.user.email_verified', z.object({ userId: Uuid, email: z.string() })),
  /** The account proved it holds `phone`; other accounts' unverified claims of it were cleared. */
  phoneVerified: defineEvent('auth.user.phone_verified', z.object({ userId: Uuid, phone: z.string() })),
};

/** An account as other services may look it up (no credential, but whether it was deleted). */
export const AccountRecord = z.object({
  id: Uuid,
  appId: Uuid,
  username: z.string(),
  displayName: z.string(),
  email: z.string().optional(),
  phone: z.string().optional(),
  emailVerified: z.boolean(),
  phoneVerified: z.boolean(),
  externalId: z.string().optional(),
  deleted: z.boolean(),
  createdAt: Timestamp,
});
export type AccountRecord = z.infer<typeof AccountRecord>;

export const PasswordCheck = z.enum(['valid', 'invalid', 'locked']);
export type PasswordCheck = z.infer<typeof PasswordCheck>;

export const authRpcs = {
  jwks: defineRpc('rpc.auth.jwks', z.object({}), Jwks),
  /** One account of an app, or null (unknown, or of another app). */
  user: defineRpc('rpc.auth.user', z.object({ appId: Uuid, userId: Uuid }), z.object({ user: AccountRecord.nullable() })),
  /**
   * Checks the account's password before a destructive action. Wrong answers count as failed
   * attempts: past the limit the answer is `locked` with `retryAfterS`.
   */
  /**
   * Checks an API key pair; the app it belongs to, or null. The gateway asks before it lets a key
   * name a rate-limit bucket, so a made-up key never gets a bucket of its own.
   */
  appCredentials: defineRpc(
    'rpc.auth.app-credentials',
    z.object({ apiKey: z.string().max(256), apiSecret: z.string().max(256) }),
    z.object({ appId: Uuid.nullable() }),
  ),
  verifyPassword: defineRpc(
    'rpc.auth.verify-password',
    z.object({ appId: Uuid, userId: Uuid, password: z.string().max(1024) }),
    z.object({ result: PasswordCheck, retryAfterS: z.number().int().optional() }),
  ),
};
