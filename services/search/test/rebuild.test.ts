import { openPlatform } from '@chat/service-kit';
import { type Stack, closeStackDatabases, stackDatabase } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '../src/app.js';
import { loadSearchConfig } from '../src/config.js';
import { rebuildIndex } from '../src/domain/rebuild.js';
import { createSearchMetrics } from '../src/metrics.js';
import { type TestUser, as, foundIds, newGroup, newUsers, send, waitForHits, word } from './helpers.js';
import { startSearchStack } from './stack.js';

let stack: Stack;
let owner: TestUser;
let member: TestUser;
beforeAll(async () => {
  stack = await startSearchStack();
  [owner, member] = await newUsers(stack, 2);
});
afterAll(async () => {
  await closeStackDatabases();
  await stack?.stop();
});

async function runRebuild() {
  const config = loadSearchConfig(stack.env);
  const platform = await openPlatform({ service: 'search', config, migrationsDir: MIGRATIONS_DIR, startRelay: false });
  try {
    return await rebuildIndex({ platform, config, metrics: createSearchMetrics() });
  } finally {
    await platform.close();
  }
}

describe('rebuild', () => {
  it('when the projection lost its messages and memberships, then a rebuild from the owning services restores what each member may find', async () => {
    const tag = word('rb');
    const chatId = (await newGroup(stack, owner, [member])).id;
    const kept = await send(stack, owner, chatId, `${tag} kept`);
    const edited = await send(stack, owner, chatId, `${tag} before edit`);
    const deleted = await send(stack, owner, chatId, `${tag} deleted`);
    const hidden = await send(stack, owner, chatId, `${tag} hidden by the member`);
    await waitForHits(stack, member, { q: tag }, [kept.id, edited.id, deleted.id, hidden.id]);
    expect((await as(stack, owner).patch(`/messages/${edited.id}`, { text: `${tag} after edit` })).status).toBe(200);
    expect((await as(stack, owner).delete(`/messages/${deleted.id}?for=everyone`)).status).toBe(204);
    expect((await as(stack, member).delete(`/messages/${hidden.id}?for=me`)).status).toBe(204);
    await waitForHits(stack, member, { q: tag }, [kept.id, edited.id]);

    await stackDatabase(stack).none('DELETE FROM search.messages; DELETE FROM search.members');
    expect(await foundIds(stack, member, { q: tag })).toEqual([]);

    const report = await runRebuild();
    expect(report.chats).toBeGreaterThanOrEqual(1);
    expect((await foundIds(stack, member, { q: tag })).sort()).toEqual([kept.id, edited.id].sort());
    expect(await foundIds(stack, member, { q: `${tag} before` })).toEqual([]);
    expect((await foundIds(stack, owner, { q: tag })).sort()).toEqual([kept.id, edited.id, hidden.id].sort());
  });
});
