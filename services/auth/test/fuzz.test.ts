import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, type Stack, type TestUser, registerUser } from '@chat/testkit';
import { startAuthStack } from './stack.js';

const ADMIN_KEY = 'platform-admin-key-for-fuzzing-01';
/** Runs per property; FUZZ_RUNS=1000 searches deeper. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);

// Every limit generous: this file sends about a thousand requests from one address.
const UNLIMITED = Object.fromEntries(
  [
    'RATE_LIMIT_IP_PER_MINUTE',
    'RATE_LIMIT_REGISTER_PER_HOUR',
    'RATE_LIMIT_LOGIN_PER_MINUTE',
    'RATE_LIMIT_REFRESH_PER_MINUTE',
    'RATE_LIMIT_MAIL_PER_HOUR',
    'RATE_LIMIT_SENSITIVE_PER_15_MINUTES',
    'RATE_LIMIT_USER_PER_MINUTE',
    'LOGIN_MAX_FAILURES',
    'LOGIN_IP_MAX_FAILURES',
    'TOTP_MAX_FAILURES',
    'PHONE_CODE_MAX_FAILURES',
  ].map((key) => [key, '100000']),
);

let stack: Stack;
let user: TestUser;
let app: { apiKey: string; apiSecret: string };
beforeAll(async () => {
  stack = await startAuthStack({ ...UNLIMITED, PLATFORM_ADMIN_KEY: ADMIN_KEY });
  user = await registerUser(stack.api);
  // A pending 2FA secret, so codes sent to /2fa/enable reach the TOTP check.
  expect((await stack.api.post('/api/v1/auth/2fa/setup', undefined, { token: user.accessToken })).status).toBe(200);
  const created = await stack.api.post('/api/v1/admin/apps', { name: 'Fuzz' }, { headers: { 'x-admin-key': ADMIN_KEY } });
  expect(created.status).toBe(201);
  app = { apiKey: created.body.apiKey, apiSecret: created.body.apiSecret };
});
afterAll(() => stack?.stop());

/** Every POST route of the service with the fields its body takes. */
const ROUTES: Record<string, string[]> = {
  '/auth/register': ['username', 'password', 'email', 'phone', 'displayName', 'deviceName'],
  '/auth/login': ['identifier', 'password', 'totp', 'deviceName'],
  '/auth/refresh': ['refreshToken'],
  '/auth/forgot-password': ['email'],
  '/auth/reset-password': ['token', 'newPassword'],
  '/auth/verify-email': ['token'],
  '/auth/change-password': ['currentPassword', 'newPassword'],
  '/auth/2fa/enable': ['code'],
  '/auth/2fa/disable': ['code', 'password'],
  '/auth/verify-phone/start': [],
  '/auth/verify-phone': ['code'],
  '/server/token': ['externalId', 'displayName'],
  '/admin/apps': ['name'],
};

/** Keys that trip naive code: prototype names, and names whose values get coerced to strings. */
const NASTY_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'toJSON'];

const anyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', 'a\u0000b', '\ud800', '\u202e', 'x'.repeat(600), 'é'.repeat(40), '123456', '+15551234567', 'someone@example.test', 'null'),
);
const anyValue = fc.oneof(
  anyString,
  fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }),
  fc.dictionary(fc.constantFrom(...NASTY_KEYS), fc.jsonValue({ maxDepth: 1 })),
);

/** Values each field accepts, so a body gets past validation and into the domain and the database. */
const username = fc.stringMatching(/^[a-z0-9_.]{3,32}$/);
const email = fc.emailAddress();
const phone = fc.stringMatching(/^\+[1-9]\d{6,14}$/);
const password = fc.string({ minLength: 8, maxLength: 72 });
const text = (maxLength: number) => fc.string({ unit: 'grapheme', minLength: 1, maxLength });
const opaque = fc.string({ minLength: 16, maxLength: 80 });
const code = fc.stringMatching(/^\d{6}$/);
const VALID: Record<string, fc.Arbitrary<string>> = {
  username,
  password,
  email,
  phone,
  displayName: text(64),
  deviceName: text(64),
  identifier: fc.oneof(username, email, phone),
  totp: code,
  refreshToken: opaque,
  token: opaque,
  newPassword: password,
  currentPassword: password,
  code,
  externalId: text(128),
  name: text(100),
};

/** Mostly a valid value; sometimes one with a control character spliced in; sometimes anything at all. */
function nearValid(key: string): fc.Arbitrary<unknown> {
  const valid = VALID[key]!;
  const spliced = fc
    .tuple(valid, fc.nat(), fc.constantFrom('\u0000', '\u0001', '\ud800', '\n'))
    .map(([value, at, ch]) => value.slice(0, at % (value.length + 1)) + ch + value.slice(at % (value.length + 1)));
  return fc.oneof({ weight: 3, arbitrary: valid }, { weight: 2, arbitrary: spliced }, { weight: 1, arbitrary: anyValue });
}

/** Bodies of every kind: any JSON, any object, objects with the route's keys holding anything, and near-valid ones. */
function bodies(keys: string[]): fc.Arbitrary<unknown> {
  const keyed = Object.fromEntries(keys.map((k) => [k, anyValue]));
  const plausible = Object.fromEntries(keys.map((k) => [k, nearValid(k)]));
  return fc.oneof(
    fc.jsonValue({ maxDepth: 4 }),
    fc.object({ maxDepth: 2 }),
    fc.record(keyed, { requiredKeys: [] }),
    fc.dictionary(fc.constantFrom(...keys, ...NASTY_KEYS), anyValue),
    { weight: 3, arbitrary: fc.record(plausible, { requiredKeys: [] }) },
    { weight: 3, arbitrary: fc.record(plausible) },
  );
}

/** Whatever the input, never a server error; every error is problem+json with its own status. */
function expectHandled(res: ApiResponse, what: string): void {
  expect(res.status, what).toBeLessThan(500);
  if (res.status >= 400) {
    expect(res.headers.get('content-type'), what).toMatch(/^application\/problem\+json/);
    expect(res.body, what).toMatchObject({
      type: expect.any(String),
      title: expect.any(String),
      status: res.status,
      detail: expect.any(String),
      code: expect.any(String),
    });
  }
}

function credentialsFor(path: string, withCredentials: boolean): Record<string, string> {
  if (!withCredentials) return {};
  if (path === '/server/token') return { 'x-api-key': app.apiKey, 'x-api-secret': app.apiSecret };
  if (path === '/admin/apps') return { 'x-admin-key': ADMIN_KEY };
  return {};
}

describe('fuzzing every auth route', () => {
  it.each(Object.entries(ROUTES))(
    'when POST %s gets arbitrary JSON, then never a 5xx, errors are problem+json and the caller’s session survives',
    async (path, keys) => {
      await fc.assert(
        fc.asyncProperty(bodies(keys), fc.boolean(), async (body, withCredentials) => {
          const res = await stack.api.request('POST', `/api/v1${path}`, {
            rawBody: JSON.stringify(body),
            token: withCredentials ? user.accessToken : undefined,
            headers: credentialsFor(path, withCredentials),
          });
          expectHandled(res, `${path} ${JSON.stringify(body).slice(0, 200)}`);
        }),
        { numRuns: RUNS },
      );
      expect((await stack.api.get('/api/v1/auth/me', { token: user.accessToken })).status).toBe(200);
    },
  );

  it('when a body is arbitrary text sent as JSON, then never a 5xx', async () => {
    const paths = Object.keys(ROUTES);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), fc.string({ unit: 'binary', maxLength: 200 }), async (path, rawBody) => {
        const res = await stack.api.request('POST', `/api/v1${path}`, { rawBody, token: user.accessToken });
        expectHandled(res, `${path} ${JSON.stringify(rawBody)}`);
      }),
      { numRuns: RUNS },
    );
  });

  it('when a session id in the path is arbitrary, then never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ minLength: 1 }), fc.uuid(), fc.string({ unit: 'binary', minLength: 1, maxLength: 60 })), async (id) => {
        const res = await stack.api.delete(`/api/v1/auth/sessions/${encodeURIComponent(id)}`, { token: user.accessToken });
        expectHandled(res, JSON.stringify(id));
        expect(res.status, JSON.stringify(id)).not.toBe(204);
      }),
      { numRuns: RUNS },
    );
  });

  it('when the bearer token is arbitrary or an unsigned JWT with arbitrary header and claims, then 401, never a 5xx', async () => {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v) ?? '').toString('base64url');
    const jwtLike = fc
      .tuple(fc.jsonValue({ maxDepth: 2 }), fc.jsonValue({ maxDepth: 2 }), fc.string({ unit: 'binary-ascii', maxLength: 40 }))
      .map(([header, claims, sig]) => `${b64(header)}.${b64(claims)}.${Buffer.from(sig).toString('base64url')}`);
    const headerish = fc.record({ alg: fc.constantFrom('ES256', 'none', 'HS256', 'RS256'), kid: fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 1 })) });
    const claimsish = fc.record(
      { sub: fc.oneof(fc.uuid(), fc.jsonValue({ maxDepth: 1 })), app: fc.uuid(), sid: fc.oneof(fc.uuid(), fc.string()), exp: fc.integer() },
      { requiredKeys: [] },
    );
    const shapedJwt = fc.tuple(headerish, claimsish).map(([h, c]) => `${b64(h)}.${b64(c)}.${b64('sig')}`);
    await fc.assert(
      fc.asyncProperty(fc.oneof(jwtLike, shapedJwt, fc.string({ maxLength: 100 })), async (token) => {
        const res = await stack.api.get('/api/v1/auth/me', { headers: { authorization: `Bearer ${token}` } });
        expectHandled(res, token);
        expect(res.status, token).toBe(401);
      }),
      { numRuns: RUNS },
    );
  });
});
