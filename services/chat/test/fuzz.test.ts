import fc from 'fast-check';
import type { ApiResponse, Stack, TestUser } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, newGroup, newUser, newUsers } from './helpers.js';
import { startChatStack } from './stack.js';

/** Runs per property; FUZZ_RUNS=1000 searches deeper. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 50);

let stack: Stack;
let owner: TestUser;
let others: string[];
let chatId: string;
beforeAll(async () => {
  // With media: a picture's id goes to the media service, which must answer.
  stack = await startChatStack({}, { media: true });
  owner = await newUser(stack);
  const people = await newUsers(stack, 3);
  others = people.map((u) => u.id);
  chatId = (await newGroup(stack, owner, people.slice(0, 2))).id;
});
afterAll(() => stack?.stop());

/** Each fuzzed route with the fields its body takes. */
const ROUTES = (): { method: 'POST' | 'PATCH' | 'PUT'; path: string; keys: string[] }[] => [
  { method: 'POST', path: '/chats', keys: ['type', 'memberIds', 'name', 'description', 'avatarMediaId', 'isPublic', 'membersCanAdd'] },
  { method: 'PATCH', path: `/chats/${chatId}`, keys: ['name', 'description', 'avatarMediaId', 'isPublic', 'membersCanAdd'] },
  { method: 'POST', path: `/chats/${chatId}/members`, keys: ['userIds', 'role'] },
  { method: 'PUT', path: `/chats/${chatId}/settings`, keys: ['mutedUntil', 'pinned', 'archived'] },
  { method: 'POST', path: `/chats/${chatId}/bans`, keys: ['userId', 'reason', 'expiresAt', 'shadow'] },
  { method: 'PATCH', path: `/chats/${chatId}/moderation`, keys: ['frozen', 'slowModeSeconds'] },
];

const NASTY_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'toJSON'];

const anyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.constantFrom('', ' ', '\u0000', 'a\u0000b', '\ud800', '\u202e', 'x'.repeat(2000), 'direct', 'group', 'channel', 'owner', 'admin', 'null', '%', '_'),
);
const anyValue = fc.oneof(
  anyString,
  fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }),
  fc.dictionary(fc.constantFrom(...NASTY_KEYS), fc.jsonValue({ maxDepth: 1 })),
);
const time = fc.oneof(
  fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom('0000-01-01T00:00:00Z', '9999-12-31T23:59:59-05:00', '1969-12-31T23:59:59Z', '2100-02-29T00:00:00Z', '2030-01-01T00:00:00+14:00'),
);
const userId = () => fc.oneof(fc.constantFrom(...others, owner.id), fc.uuid());
const text = (maxLength: number) => fc.string({ unit: 'grapheme', maxLength });

/** Values each field accepts, so bodies get past validation into the domain and the database. */
function valid(key: string): fc.Arbitrary<unknown> {
  switch (key) {
    case 'type':
      return fc.constantFrom('direct', 'group', 'channel');
    case 'memberIds':
    case 'userIds':
      return fc.array(userId(), { maxLength: 4 });
    case 'name':
      return text(140);
    case 'description':
    case 'reason':
      return fc.option(text(600));
    case 'avatarMediaId':
      return fc.option(fc.uuid());
    case 'isPublic':
    case 'membersCanAdd':
    case 'pinned':
    case 'archived':
    case 'shadow':
    case 'frozen':
      return fc.boolean();
    case 'role':
      return fc.constantFrom('owner', 'admin', 'moderator', 'member');
    case 'mutedUntil':
      return fc.option(time);
    case 'expiresAt':
      return time;
    case 'userId':
      return userId();
    case 'slowModeSeconds':
      return fc.oneof(fc.integer({ min: -10, max: 100_000 }), fc.double());
    default:
      throw new Error(`no generator for ${key}`);
  }
}

function bodies(keys: string[]): fc.Arbitrary<unknown> {
  const keyed = Object.fromEntries(keys.map((k) => [k, anyValue]));
  const plausible = Object.fromEntries(keys.map((k) => [k, fc.oneof({ weight: 4, arbitrary: valid(k) }, { weight: 1, arbitrary: anyValue })]));
  return fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.record(keyed, { requiredKeys: [] }), fc.dictionary(fc.constantFrom(...keys, ...NASTY_KEYS), anyValue), {
    weight: 4,
    arbitrary: fc.record(plausible, { requiredKeys: [] }),
  });
}

function expectHandled(res: ApiResponse, what: string): void {
  expect(res.status, what).toBeLessThan(500);
  if (res.status >= 400) {
    expect(res.headers.get('content-type'), what).toMatch(/^application\/problem\+json/);
    expect(res.body, what).toMatchObject({ status: res.status, detail: expect.any(String), code: expect.any(String) });
  }
}

describe('fuzzing the chat routes', () => {
  it('when each route with a body gets arbitrary JSON, then never a 5xx and errors are problem+json', async () => {
    for (const route of ROUTES()) {
      await fc.assert(
        fc.asyncProperty(bodies(route.keys), async (body) => {
          const res = await stack.api.request(route.method, `/api/v1${route.path}`, { rawBody: JSON.stringify(body), token: owner.accessToken });
          expectHandled(res, `${route.method} ${route.path} ${JSON.stringify(body).slice(0, 300)}`);
        }),
        { numRuns: RUNS },
      );
    }
    expect((await as(stack, owner).get(`/chats/${chatId}`)).status).toBe(200);
    // Hundreds of requests: more than the default test time on a busy machine.
  }, 90_000);

  it('when ids, codes and query strings are arbitrary, then never a 5xx', async () => {
    const paths = [
      '/chats/',
      `/chats/${chatId}/members/`,
      `/chats/${chatId}/bans/`,
      `/chats/${chatId}/invite-links/`,
      '/chats?cursor=',
      '/chats/public?q=',
      `/chats/${chatId}/members?cursor=`,
    ];
    const segment = fc.oneof(
      fc.string({ minLength: 1 }),
      fc.uuid(),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }),
      fc.base64String({ minLength: 4, maxLength: 80 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), segment, async (path, value) => {
        const method = path.includes('?') || path === '/chats/' ? 'GET' : 'DELETE';
        const res = await stack.api.request(method, `/api/v1${path}${encodeURIComponent(value)}`, { token: owner.accessToken });
        expectHandled(res, `${method} ${path}${JSON.stringify(value)}`);
      }),
      { numRuns: RUNS * 2 },
    );
  });
});
