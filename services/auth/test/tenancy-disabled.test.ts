import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Stack } from '@chat/testkit';
import { expectProblem } from './helpers.js';
import { startAuthStack } from './stack.js';

// No PLATFORM_ADMIN_KEY in this stack.
let stack: Stack;
beforeAll(async () => {
  stack = await startAuthStack();
});
afterAll(() => stack?.stop());

describe('POST /admin/apps without a platform admin key configured', () => {
  it('when any key, or none, is offered, then 404 as if the route did not exist', async () => {
    const attempts: Record<string, string>[] = [{}, { 'x-admin-key': 'platform-admin-key-for-tests-0123' }, { 'x-admin-key': '' }];
    for (const headers of attempts) {
      expectProblem(await stack.api.post('/api/v1/admin/apps', { name: 'Acme' }, { headers }), 404, 'not_found');
    }
  });

  it('when the body is not even valid, then still 404 (the route reveals nothing)', async () => {
    expectProblem(await stack.api.post('/api/v1/admin/apps', { nope: true }), 404, 'not_found');
    expectProblem(await stack.api.post('/api/v1/admin/apps', { name: 'a\u0000b' }), 404, 'not_found');
  });
});
