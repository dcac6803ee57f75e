import { randomUUID } from 'node:crypto';
import { type Stack, closeStackDatabases, stackDatabase } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IndexedMessage, insertMessages } from '../src/store/messages.store.js';
import { type TestUser, as, foundIds, newGroup, newUsers, searchMessages, send, waitForHits, word } from './helpers.js';
import { startSearchStack } from './stack.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Ages of the older matches: six in the first time slice, then further and further back. */
const AGES_MS = [2, 4, 8, 12, 16, 19, 22, 30].map((h) => h * HOUR_MS).concat([5, 40, 200, 1100].map((d) => d * DAY_MS));

let stack: Stack;
let owner: TestUser;
let member: TestUser;
let chatId: string;
let tag: string;
/** The sender of the older matches (no one else sends as them). */
const oldSender = randomUUID();
/** The older matches of the member's chat, newest first. */
let history: string[];

/** Writes messages straight into the projection (through its own store), each sent `ageMs` ago. */
async function project(chatId: string, appId: string, sent: { body: string; ageMs: number; senderId?: string }[]): Promise<string[]> {
  const now = Date.now();
  const messages: IndexedMessage[] = sent.map((m, i) => ({
    chatId,
    id: randomUUID(),
    appId,
    seq: i + 1,
    senderId: m.senderId ?? oldSender,
    kind: 'text',
    body: m.body,
    files: [],
    mentions: [],
    createdAt: new Date(now - m.ageMs).toISOString(),
    editedAt: null,
    visibleTo: null,
  }));
  await stackDatabase(stack).tx(async (t) => {
    await t.none('SET LOCAL search_path = search');
    await insertMessages(t, messages);
  });
  return messages.map((m) => m.id);
}

beforeAll(async () => {
  // Every caller is searched as a member of many chats, with a ranked window of ten.
  stack = await startSearchStack({ SEARCH_PER_CHAT_MAX: '0', SEARCH_RANK_WINDOW: '10' });
  [owner, member] = await newUsers(stack, 2);
  chatId = (await newGroup(stack, owner, [member])).id;
  tag = word('h');
  const probeWord = word('probe');
  const probe = await send(stack, owner, chatId, `membership ${probeWord}`);
  await waitForHits(stack, member, { q: probeWord }, [probe.id]);
  history = await project(
    chatId,
    member.appId,
    AGES_MS.map((ageMs) => ({ body: `older ${tag} news in /srv/${tag}.ts`, ageMs })),
  );
  // The same words in a chat the member is not in.
  await project(
    randomUUID(),
    member.appId,
    AGES_MS.slice(0, 4).map((ageMs) => ({ body: `older ${tag} news in /srv/${tag}.ts`, ageMs: ageMs + 1000 })),
  );
  // 5,000 messages of the last hour in a chat the member is not in, one in a hundred with the word:
  // the sample of the newest messages finds the word, but none of the member's matches.
  const filler = randomUUID();
  await project(
    randomUUID(),
    member.appId,
    Array.from({ length: 5000 }, (_, i) => ({ body: `filler ${i}${i % 100 ? '' : ` ${tag}`}`, ageMs: (i + 1) * 700, senderId: filler })),
  );
});
afterAll(async () => {
  await closeStackDatabases();
  await stack?.stop();
});

async function allPages(params: Record<string, string | number>): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | undefined;
  do {
    const res = await searchMessages(stack, member, { ...params, limit: 4, cursor });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    seen.push(...res.body.data.map((h: { id: string }) => h.id));
    cursor = res.body.page.nextCursor ?? undefined;
  } while (cursor);
  return seen;
}

describe('matches spread far back in time', () => {
  it('when a rare word or a part of it is searched newest first, then every match is found once, in order, across the time slices', async () => {
    expect(await allPages({ q: tag, sort: 'recent' })).toEqual(history);
    expect(await allPages({ q: tag.slice(1, 9).toUpperCase(), sort: 'recent' })).toEqual(history);
    expect(await allPages({ q: `news ${tag.slice(2)}`, sort: 'recent' })).toEqual(history);
    // A fragment with other characters than letters and digits goes through the trigram index.
    expect(await allPages({ q: `/srv/${tag.slice(0, 6)}`, sort: 'recent' })).toEqual(history);
    expect(await allPages({ q: `${tag.slice(3)}.ts`, sort: 'recent' })).toEqual(history);
  });

  it('when a rare word is searched by relevance, then the ten newest come ranked and the older follow newest first', async () => {
    const seen = await allPages({ q: tag });
    expect(new Set(seen)).toEqual(new Set(history));
    expect(seen).toHaveLength(history.length);
    expect(seen.slice(10)).toEqual(history.slice(10));
  });

  it('when only filters are given, then every match is found once, newest first', async () => {
    expect(await allPages({ senderId: oldSender })).toEqual(history);
  });

  it('when a message is edited to hold a new word, then a part of that word finds it among many chats, and the old words no longer do', async () => {
    const [before, after] = [word('was'), word('now')];
    const m = await send(stack, owner, chatId, `draft ${before}`);
    await waitForHits(stack, member, { q: before.slice(1, 9) }, [m.id]);
    expect((await as(stack, owner).patch(`/messages/${m.id}`, { text: `final ${after}` })).status).toBe(200);
    await waitForHits(stack, member, { q: after.slice(2, 10) }, [m.id]);
    expect(await foundIds(stack, member, { q: before.slice(1, 9) })).toEqual([]);
  });
});
