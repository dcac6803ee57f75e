import { type Stack, expectProblem } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUsers, search } from './helpers.js';
import { startSearchStack } from './stack.js';

const LIMIT = 3;

let stack: Stack;
beforeAll(async () => {
  stack = await startSearchStack({ RATE_LIMIT_USER_SEARCH_PER_MINUTE: String(LIMIT) });
});
afterAll(() => stack?.stop());

describe('user search rate limit', () => {
  it('when a user searches users more often than the limit allows, then further user searches get 429 while other searches and other users go on', async () => {
    const [scraper, other] = await newUsers(stack, 2);
    expect((await search(stack, scraper, '/search/users', { q: 'a' })).status).toBe(200);
    expect((await search(stack, scraper, '/search', { q: 'b', type: 'users' })).status).toBe(200);
    expect((await search(stack, scraper, '/search', { q: 'c' })).status).toBe(200);

    const limited = await search(stack, scraper, '/search/users', { q: 'd' });
    expectProblem(limited, 429, 'rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expectProblem(await search(stack, scraper, '/search', { q: 'e', type: 'users' }), 429, 'rate_limited');
    expectProblem(await search(stack, scraper, '/search', { q: 'f' }), 429, 'rate_limited');

    expect((await search(stack, scraper, '/search', { q: 'g', type: 'messages' })).status).toBe(200);
    expect((await search(stack, scraper, '/search', { q: 'h', type: 'chats' })).status).toBe(200);
    expect((await search(stack, scraper, '/search/messages', { q: 'i' })).status).toBe(200);
    expect((await search(stack, scraper, '/search/chats', { q: 'j' })).status).toBe(200);
    expect((await search(stack, other, '/search/users', { q: 'k' })).status).toBe(200);
  });
});
