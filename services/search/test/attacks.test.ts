import fc from 'fast-check';
import { type Stack, encodeFuzzed as enc, expectNoServerError as expectSafe } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestUser, as, foundIds, newGroup, newUsers, send, waitForHits, word } from './helpers.js';
import { startSearchStack } from './stack.js';

/** Runs per property; FUZZ_RUNS=1000 searches deeper. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);

let stack: Stack;
let user: TestUser;
let chatId: string;
let tag: string;
let messageId: string;
beforeAll(async () => {
  stack = await startSearchStack();
  [user] = await newUsers(stack, 1);
  chatId = (await newGroup(stack, user)).id;
  tag = word('atk');
  messageId = (await send(stack, user, chatId, `${tag} it's 100% done_ok (really) [x] {y} \\ 'quoted' "double" a&b a|b !not <-> :* 日本語テキスト naïve`)).id;
  await waitForHits(stack, user, { q: tag }, [messageId]);
});
afterAll(() => stack?.stop());

const ROUTES = ['/search', '/search/messages', '/search/users', '/search/chats'];
const get = (path: string, query: string) => as(stack, user).get(`${path}?${query}`);

const SYNTAX = [
  "'",
  '"',
  '\\',
  '%',
  '_',
  '&',
  '|',
  '!',
  '<->',
  ':*',
  '(',
  ')',
  '-',
  'OR',
  'or',
  '--',
  '/*',
  '*/',
  ';',
  "'; DROP TABLE search.messages; --",
  "' OR 1=1 --",
  '$1',
  '$<me>',
  '\\x00',
  'a:*',
  "!'a'",
  '& |',
  '((((',
  '"""',
  '-"',
  '- -',
  'OR OR OR',
  '"unclosed',
  '\u202e',
  '\ufeff',
  '\u200b',
  '🏳️‍🌈',
  '👍🏽',
  'ß',
  'İ',
  '\u0301',
];

describe('hostile queries', () => {
  it('when queries carry SQL and tsquery syntax, then every route answers 200 or 400, never 500', async () => {
    for (const q of SYNTAX) for (const path of ROUTES) expectSafe(await get(path, `q=${enc(`${tag} ${q}`)}`));
  });

  it('when a word carries tsquery or LIKE syntax, then it is matched literally', async () => {
    expect(await foundIds(stack, user, { q: `${tag} 100%` })).toEqual([messageId]);
    expect(await foundIds(stack, user, { q: `${tag} done_ok` })).toEqual([messageId]);
    expect(await foundIds(stack, user, { q: `${tag} 1_0%` })).toEqual([]);
    expect(await foundIds(stack, user, { q: `${tag} a&b a|b` })).toEqual([messageId]);
    expect(await foundIds(stack, user, { q: `${tag} テキスト` })).toEqual([messageId]);
  });

  it('when the query is empty or blank, then 400 on the routes that need one', async () => {
    for (const path of ['/search', '/search/users', '/search/chats']) {
      for (const q of ['', '   ', '\t']) expect((await get(path, `q=${enc(q)}`)).status).toBe(400);
      expect((await get(path, '')).status).toBe(400);
    }
    expect((await get('/search/messages', 'q=')).status).toBe(400);
  });

  it('when the query is 10 KB long or has too many words, then 400', async () => {
    for (const path of ROUTES) {
      expect((await get(path, `q=${'a'.repeat(10_240)}`)).status).toBe(400);
      expect((await get(path, `q=${enc(Array.from({ length: 40 }, (_, i) => `w${i}`).join(' '))}`)).status).toBe(400);
    }
  });

  it('when filters are malformed, then 400 naming the field', async () => {
    for (const [key, value] of [
      ['chatId', 'nope'],
      ['senderId', '1'],
      ['after', 'yesterday'],
      ['hasAttachment', 'maybe'],
      ['kind', 'sticker'],
      ['limit', '1000'],
      ['sort', 'random'],
      ['extra', 'x'],
    ]) {
      const res = await get('/search/messages', `q=x&${key}=${enc(value!)}`);
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { path: string }) => e.path).join()).toContain(key);
    }
  });

  it('when queries and filters are arbitrary strings, then never a 5xx', async () => {
    const anyString = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ unit: 'binary', maxLength: 80 }),
      fc.array(fc.constantFrom(...SYNTAX, tag, 'x', ' '), { maxLength: 12 }).map((a) => a.join(' ')),
    );
    await fc.assert(
      fc.asyncProperty(anyString, anyString, fc.constantFrom(...ROUTES), async (q, other, path) => {
        expectSafe(await get(path, `q=${enc(q)}`));
        expectSafe(await get('/search/messages', `q=${enc(q)}&after=${enc(other)}&cursor=${enc(other)}&sort=recent`));
      }),
      { numRuns: RUNS },
    );
  });
});
