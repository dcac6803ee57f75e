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
export const Phone = z
  .string()
  .trim()
  .regex(/^\+[1-9]\d{6,14}$/, 'phone must be in E.164 form, e.g. +15551234567');
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
  .openapi('User')
  .describe('An account as its owner sees it.');
export type User = z.infer<typeof User>;

export const Tokens = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string(),
    accessTokenExpiresAt: Timestamp,
    refreshTokenExpiresAt: Timestamp,
  })
  .openapi('Tokens')
  .describe('An access token (ES256 JWT, 15 minutes) and the refresh token that renews it (rotated on every use).');
export type Tokens = z.infer<typeof Tokens>;

export const AuthResult = z
  .object({ user: User, tokens: Tokens })
  .openapi('AuthResult')
  .describe('The account and a fresh pair of tokens: the answer of register, login and server token.');
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
export const TokensResult = z.object({ tokens: Tokens }).openapi('TokensResult').describe('A fresh pair of tokens; the refresh token presented is spent.');
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
  .openapi('Session')
  .describe('One login of the account (a device), with when it was last used.');
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
  .openapi('TwoFactorSetup')
  .describe('A TOTP secret to enrol in an authenticator app; 2FA is not on until `POST /auth/2fa/enable` confirms a code.');

export const App = z
  .object({ id: Uuid, name: z.string(), createdAt: Timestamp })
  .openapi('App')
  .describe('An app (tenant): every account, chat and message belongs to exactly one.');
export const CreateAppBody = z.strictObject({ name: z.string().trim().min(1).max(100) });
export type CreateAppBody = z.infer<typeof CreateAppBody>;
export const CreateAppResult = z
  .object({ app: App, apiKey: z.string(), apiSecret: z.string() })
  .openapi('CreateAppResult')
  .describe('A new app with its API key pair; the secret is shown only here (only its hash is stored).');
export const ServerTokenBody = z.strictObject({
  externalId: z.string().trim().min(1).max(128),
  displayName: DisplayName.optional(),
});

export const Jwk = z.looseObject({ kty: z.string(), kid: z.string(), alg: z.string(), use: z.string() });
export const Jwks = z
  .object({ keys: z.array(Jwk) })
  .openapi('Jwks')
  .describe('The public keys that verify access tokens (RFC 7517), by `kid`.');
export type Jwks = z.infer<typeof Jwks>;

/** Claims of an access token. */
export const AccessClaims = z.object({ sub: Uuid, app: Uuid, sid: Uuid });
export type AccessClaims = z.infer<typeof AccessClaims>;

const auth = { service: 'auth' } as const;

export const authRoutes = {
  register: defineRoute({
    ...auth,
    method: 'post',
    path: '/auth/register',
    summary: 'Create an account',
    description:
      '`{ username, password, email?, phone?, displayName?, deviceName? }` → `{ user, tokens }`. 409 on a taken username or email (case-insensitive). Sends a verification mail when an email is given; the phone starts unverified (private to the account until `POST /auth/verify-phone`).',
    access: 'public',
    rateLimit: 'register',
    body: RegisterBody,
    status: 201,
    response: AuthResult,
    errors: [409],
  }),
  login: defineRoute({
    ...auth,
    method: 'post',
    path: '/auth/login',
    summary: 'Log in with username, email or phone',
    description:
      '`{ identifier, password, totp?, deviceName? }`; the identifier is a username, an email or a verified phone. 401 `unauthorized` (the same answer for an unknown user and a wrong password), `totp_required`, `totp_invalid`; after 5 failures for one identifier within 15 minutes, 429 until the window passes.',
    access: 'public',
    rateLimit: 'login',
    body: LoginBody,
    status: 200,
    response: AuthResult,
  }),
  refresh: defineRoute({
    ...auth,
    method: 'post',
    path: '/auth/refresh',
    summary: 'Rotate a refresh token',
    description:
      '`{ refreshToken }` → `{ tokens }`. Rotates: the token presented stops working, and presenting an already-used one revokes its whole session (reuse detection).',
    access: 'public',
    rateLimit: 'refresh',
    body: RefreshBody,
    status: 200,
    response: TokensResult,
  }),
  logout: defineRoute({
    ...auth,
    method: 'post',
    path: '/auth/logout',
    summary: 'End the current session',
    description: "The session's tokens stop working at once, the access token included.",
    access: 'user',
    status: 204,
  }),
  me: defineRoute({
    ...auth,
    method: 'get',
    path: '/auth/me',
    summary: 'The signed-in account',
    description: '`{ user }`',
    access: 'user',
    status: 200,
    response: MeResult,
  }),
  listSessions: defineRoute({
    ...auth,
    method: 'get',
    path: '/auth/sessions',
    summary: 'Active sessions of the account',
    description: '`{ data: [{ id, deviceName, createdAt, lastUsedAt, ip, userAgent, current }], page }`',
    access: 'user',
    status: 200,
    response: pageOf(Session),
  }),
  revokeSession: defineRoute({
    ...auth,
    method: 'delete',
    path: '/auth/sessions/:id',
    summary: 'Revoke one session',
    description: "That session's tokens stop working and its sockets are closed; 404 for a session that is not the caller's.",
    access: 'user',
    params: IdParams,
    status: 204,
    errors: [404],
  }),
  revokeAll: defineRoute({
    ...auth,
    method: 'post',
    path: '/auth/sessions/revoke-all',
    summary: 'Revoke every other session',
    description: 'Every session but the current one is revoked.',
    access: 'user',
    status: 204,
  }),
  changePassword: defineRoute({
    ...auth,
    method: 'post',
    path: '/auth/change-password',
    summary: 'Change password (revokes other sessions)',
    description:
      '`{ currentPassword, newPassword }`; other sessions are revoked and pending reset tokens void. 403 on a wrong current password, counted per account with the other password checks (`LOGIN_MAX_FAILURES` per `LOGIN_FAILURE_WINDOW_S`, then 429 whatever the password).',
    access: 'user',
    rateLimit: 'sensitive',
    body: ChangePasswordBody,
    status: 204,
  }),
  forgotPassword: defineRoute({
    ...auth,
    method: 'post',
    path: '/auth/forgot-password',
    summary: 'Email a password reset link (to a verified address only)',
    description: '`{ email }` → 202 always (no account enumeration); a reset token is mailed only if an account has that address verified.',
    access: 'public',
    rateLimit: 'mail',
    body: ForgotPasswordBody,
    status: 202,
  }),
  resetPassword: defineRoute({
    ...auth,
    method: 'post',
    path: '/auth/reset-password',
    summary: 'Set a new password with a reset token (revokes all sessions)',
    description: '`{ token, newPassword }`; every session is revoked and other reset tokens void. 400 for a bad, used or expired token.',
    access: 'public',
    rateLimit: 'sensitive',
    body: ResetPasswordBody,
    status: 204,
  }),
  verifyPhoneStart: defineRoute({
    ...auth,
    method: 'post',
    path: '/auth/verify-phone/start',
    summary: "Text a one-time code to the caller's phone",
    description:
      "Texts a 6-digit code to the caller's phone (replacing an earlier code). 409 when the account has no phone or it is verified already; 503 when the SMS provider refused.",
    access: 'user',
    rateLimit: 'mail',
    status: 202,
    errors: [409],
  }),
  verifyPhone: defineRoute({
    ...auth,
    method: 'post',
    path: '/auth/verify-phone',
    summary: "Confirm the caller's phone with the texted code",
    description:
      '`{ code }`. 400 `validation_failed` at `code` for a wrong, used or expired code; `PHONE_CODE_MAX_FAILURES` failures per account per `LOGIN_FAILURE_WINDOW_S` → 429; 409 when another account has verified the number. Until verified, a phone is private to its owner: not matched by contact sync, not unique against others.',
    access: 'user',
    rateLimit: 'sensitive',
    body: VerifyPhoneBody,
    status: 204,
    errors: [409],
  }),
  verifyEmail: defineRoute({
    ...auth,
    method: 'post',
    path: '/auth/verify-email',
    summary: 'Confirm an email address',
    description: '`{ token }`; 400 for a bad, used or expired token.',
    access: 'public',
    rateLimit: 'sensitive',
    body: VerifyEmailBody,
    status: 204,
  }),
  twoFactorSetup: defineRoute({
    ...auth,
    method: 'post',
    path: '/auth/2fa/setup',
    summary: 'Start TOTP set-up',
    description: '`{ secret, otpauthUrl, qrCodeDataUrl }`, not active until enabled; 409 if 2FA is on already.',
    access: 'user',
    status: 200,
    response: TwoFactorSetup,
    errors: [409],
  }),
  twoFactorEnable: defineRoute({
    ...auth,
    method: 'post',
    path: '/auth/2fa/enable',
    summary: 'Turn TOTP on',
    description: '`{ code }`. A code is accepted once (a replayed code is `totp_invalid`); wrong codes are limited per user.',
    access: 'user',
    rateLimit: 'sensitive',
    body: TotpCodeBody,
    status: 204,
    errors: [409],
  }),
  twoFactorDisable: defineRoute({
    ...auth,
    method: 'post',
    path: '/auth/2fa/disable',
    summary: 'Turn TOTP off (code and password)',
    description:
      '`{ code, password }`. A wrong password is 401 `unauthorized` (checked first, so no code is spent) and counted like a wrong current password; then the code as for enabling.',
    access: 'user',
    rateLimit: 'sensitive',
    body: DisableTwoFactorBody,
    status: 204,
    errors: [409],
  }),
  createApp: defineRoute({
    ...auth,
    method: 'post',
    path: '/admin/apps',
    summary: 'Create an app (tenant) with an API key',
    description: '`{ name }` → `{ app, apiKey, apiSecret }` (the secret is shown only here); 404 when no `PLATFORM_ADMIN_KEY` is set.',
    access: 'admin',
    body: CreateAppBody,
    status: 201,
    response: CreateAppResult,
    errors: [404],
  }),
  serverToken: defineRoute({
    ...auth,
    method: 'post',
    path: '/server/token',
    summary: "Mint tokens for an app's user by externalId",
    description:
      "`{ externalId, displayName? }` → `{ user, tokens }`, creating the app's user on first sight: an app's backend signs its users in without a password.",
    access: 'app',
    rateLimit: 'server',
    body: ServerTokenBody,
    status: 200,
    response: AuthResult,
  }),
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
    "An account was created: a registration, or an app's first server token for an `externalId`.",
  ),
  sessionRevoked: defineEvent(
    'auth.session.revoked',
    z.object({ userId: Uuid, sessionId: Uuid, reason: z.string() }),
    "`reason`: `logout`, `revoked_by_user`, `password_changed`, `password_reset`, `refresh_token_reuse` or `account_deleted`. Realtime closes that session's sockets.",
  ),
  emailVerified: defineEvent(
    'auth.user.email_verified',
    z.object({ userId: Uuid, email: z.string() }),
    'The account proved it holds `email`; the user service and search make it discoverable.',
  ),
  phoneVerified: defineEvent(
    'auth.user.phone_verified',
    z.object({ userId: Uuid, phone: z.string() }),
    "The account proved it holds `phone`; other accounts' unverified claims of it were cleared. The user service and search make the phone discoverable.",
  ),
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
  jwks: defineRpc('rpc.auth.jwks', z.object({}), Jwks, 'The public signing keys; verifiers cache them by `kid`.'),
  user: defineRpc(
    'rpc.auth.user',
    z.object({ appId: Uuid, userId: Uuid }),
    z.object({ user: AccountRecord.nullable() }),
    'One account of an app, or null (unknown, or of another app).',
  ),
  appCredentials: defineRpc(
    'rpc.auth.app-credentials',
    z.object({ apiKey: z.string().max(256), apiSecret: z.string().max(256) }),
    z.object({ appId: Uuid.nullable() }),
    'Checks an API key pair; the app it belongs to, or null. The gateway asks before it lets a key name a rate-limit bucket, so a made-up key never gets a bucket of its own.',
  ),
  verifyPassword: defineRpc(
    'rpc.auth.verify-password',
    z.object({ appId: Uuid, userId: Uuid, password: z.string().max(1024) }),
    z.object({ result: PasswordCheck, retryAfterS: z.number().int().optional() }),
    "Checks the account's password before a destructive action. Wrong answers count with the login failures (`LOGIN_MAX_FAILURES` per `LOGIN_FAILURE_WINDOW_S`): past the limit the answer is `locked` with `retryAfterS`.",
  ),
};
