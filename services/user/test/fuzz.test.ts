import fc from 'fast-check';
import { type ApiResponse, type Stack } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, newUser } from './helpers.js';
import { startUserStack } from './stack.js';

/** Runs per property; FUZZ_RUNS=1000 searches deeper. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);

let stack: Stack;
let caller: Awaited<ReturnType<typeof newUser>>;
let others: string[];
beforeAll(async () => {
  // Every limit generous: this file sends several hundred requests as one user.
  stack = await startUserStack({ RATE_LIMIT_USER_PER_MINUTE: '100000', RATE_LIMIT_CONTACT_SYNC_PER_HOUR: '100000' });
  caller = await newUser(stack);
  others = (await Promise.all([newUser(stack), newUser(stack)])).map((u) => u.id);
});
afterAll(() => stack?.stop());

/** Each fuzzed route with the fields its body takes. */
const ROUTES: { method: 'PATCH' | 'POST'; path: string; keys: string[] }[] = [
  { method: 'PATCH', path: '/users/me', keys: ['displayName', 'bio', 'avatarMediaId', 'statusText'] },
  { method: 'PATCH', path: '/users/me/settings', keys: ['privacy', 'notifications'] },
  { method: 'POST', path: '/users/me/contacts', keys: ['userId', 'alias'] },
  { method: 'POST', path: '/users/me/contacts/sync', keys: ['phones', 'emails'] },
  { method: 'POST', path: '/users/me/blocked', keys: ['userId'] },
];

const NASTY_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'toJSON'];

const anyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', 'a\u0000b', '\ud800', '\u202e', 'x'.repeat(600), 'everyone', 'contacts', 'nobody', '+15551234567', 'a@b.test', 'null'),
);
const anyValue = fc.oneof(
  anyString,
  fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }),
  fc.dictionary(fc.constantFrom(...NASTY_KEYS), fc.jsonValue({ maxDepth: 1 })),
);

const level = fc.constantFrom('everyone', 'contacts', 'nobody');
const privacy = fc.record(
  {
    lastSeen: level,
    profilePhoto: level,
    readReceipts: fc.boolean(),
    addToGroups: fc.constantFrom('everyone', 'contacts'),
    discoverableByPhone: fc.boolean(),
    discoverableByEmail: fc.boolean(),
  },
  { requiredKeys: [] },
);
const notifications = fc.record(
  { directMessages: fc.boolean(), groupMessages: fc.boolean(), mentions: fc.boolean(), showPreview: fc.boolean() },
  { requiredKeys: [] },
);
const text = (maxLength: number) => fc.string({ unit: 'grapheme', maxLength });
const userId = () => fc.oneof(fc.constantFrom(...others, caller.id), fc.uuid());

/** Values each field accepts, so bodies get past validation into the domain and the database. */
function valid(key: string): fc.Arbitrary<unknown> {
  switch (key) {
    case 'displayName':
      return text(64);
    case 'bio':
      return fc.option(text(500));
    case 'statusText':
      return fc.option(text(140));
    case 'avatarMediaId':
      return fc.option(fc.uuid());
    case 'alias':
      return text(64);
    case 'userId':
      return userId();
    case 'privacy':
      return privacy;
    case 'notifications':
      return notifications;
    case 'phones':
      return fc.array(fc.stringMatching(/^\+[1-9]\d{6,14}$/), { maxLength: 20 });
    case 'emails':
      return fc.array(fc.emailAddress(), { maxLength: 20 });
    default:
      throw new Error(`no generator for ${key}`);
  }
}

/** Mostly a valid value, sometimes anything at all. */
function nearValid(key: string): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 3, arbitrary: valid(key) }, { weight: 1, arbitrary: anyValue });
}

function bodies(keys: string[]): fc.Arbitrary<unknown> {
  const keyed = Object.fromEntries(keys.map((k) => [k, anyValue]));
  const plausible = Object.fromEntries(keys.map((k) => [k, nearValid(k)]));
  return fc.oneof(
    fc.jsonValue({ maxDepth: 4 }),
    fc.object({ maxDepth: 2 }),
    fc.record(keyed, { requiredKeys: [] }),
    fc.dictionary(fc.constantFrom(...keys, ...NASTY_KEYS), anyValue),
    { weight: 3, arbitrary: fc.record(plausible, { requiredKeys: [] }) },
  );
}

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

describe('fuzzing the user routes', () => {
  it.each(ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))(
    'when %s gets arbitrary JSON, then never a 5xx and errors are problem+json',
    async (_name, route) => {
      await fc.assert(
        fc.asyncProperty(bodies(route.keys), async (body) => {
          const res = await stack.api.request(route.method, `/api/v1${route.path}`, { rawBody: JSON.stringify(body), token: caller.accessToken });
          expectHandled(res, `${route.method} ${route.path} ${JSON.stringify(body).slice(0, 200)}`);
        }),
        { numRuns: RUNS },
      );
      expect((await as(stack, caller).get('/users/me')).status).toBe(200);
    },
  );

  it('when a user id in the path is arbitrary, then never a 5xx', async () => {
    const paths = ['/users/', '/users/me/contacts/', '/users/me/blocked/'];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...paths),
        fc.oneof(fc.string({ minLength: 1 }), fc.uuid(), fc.string({ unit: 'binary', minLength: 1, maxLength: 60 })),
        async (path, id) => {
          const method = path === '/users/' ? 'GET' : 'DELETE';
          const res = await stack.api.request(method, `/api/v1${path}${encodeURIComponent(id)}`, { token: caller.accessToken });
          expectHandled(res, `${method} ${path}${JSON.stringify(id)}`);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
