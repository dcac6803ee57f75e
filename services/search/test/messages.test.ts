import type { Stack } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestUser, as, foundIds, newGroup, newUsers, searchMessages, send, waitForHits, word } from './helpers.js';
import { startSearchStack } from './stack.js';

let stack: Stack;
let alice: TestUser;
let bob: TestUser;
let chatId: string;
beforeAll(async () => {
  stack = await startSearchStack();
  [alice, bob] = await newUsers(stack, 2);
  chatId = (await newGroup(stack, alice, [bob])).id;
});
afterAll(() => stack?.stop());

describe('matching', () => {
  it('when a word is part of a longer word, code, path or hyphenated term, then a search for the part finds it', async () => {
    const tag = word('k');
    const path = await send(stack, alice, chatId, `${tag} the config lives in /srv/app/${tag}-settings.yaml`);
    const code = await send(stack, alice, chatId, `${tag} build failed with ERR_${tag.toUpperCase()}_42X`);
    const hyphen = await send(stack, alice, chatId, `${tag} ship the state-of-the-art release`);
    await waitForHits(stack, bob, { q: tag }, [path.id, code.id, hyphen.id]);
    expect(await foundIds(stack, bob, { q: `/srv/app/${tag}-settings` })).toEqual([path.id]);
    expect(await foundIds(stack, bob, { q: `${tag}_42` })).toEqual([code.id]);
    expect(await foundIds(stack, bob, { q: `${tag} state-of-the-art` })).toEqual([hyphen.id]);
    expect(await foundIds(stack, bob, { q: `${tag} art` })).toEqual([hyphen.id]);
    // A prefix of the unique tag finds all three.
    expect((await foundIds(stack, bob, { q: tag.slice(0, 8) })).sort()).toEqual([path.id, code.id, hyphen.id].sort());
  });

  it('when the query quotes a phrase or excludes a word, then only messages with the phrase and without the word are found', async () => {
    const tag = word('p');
    const phrase = await send(stack, alice, chatId, `${tag} release notes are ready`);
    const scattered = await send(stack, alice, chatId, `${tag} notes about the release`);
    const excluded = await send(stack, alice, chatId, `${tag} release notes draft`);
    await waitForHits(stack, bob, { q: tag }, [phrase.id, scattered.id, excluded.id]);
    expect((await foundIds(stack, bob, { q: `${tag} "release notes"` })).sort()).toEqual([phrase.id, excluded.id].sort());
    expect(await foundIds(stack, bob, { q: `${tag} "release notes" -draft` })).toEqual([phrase.id]);
    expect((await foundIds(stack, bob, { q: `${tag} -draft` })).sort()).toEqual([phrase.id, scattered.id].sort());
  });

  it('when the query uses OR, then messages with either word are found', async () => {
    const [a, b] = [word('oa'), word('ob')];
    const first = await send(stack, alice, chatId, `alpha ${a}`);
    const second = await send(stack, alice, chatId, `beta ${b}`);
    await waitForHits(stack, bob, { q: `${a} OR ${b}` }, [first.id, second.id]);
  });

  it('when words match whole, more often, or in the text rather than a file name, then those rank first; equals rank newest first', async () => {
    const tag = word('r');
    const substring = await send(stack, alice, chatId, `x${tag}y appears only inside a word`);
    const once = await send(stack, alice, chatId, `${tag} once in a long message with many other words around it here`);
    const twice = await send(stack, alice, chatId, `${tag} ${tag} twice`);
    const onceNewer = await send(stack, alice, chatId, `${tag} once in a long message with many other words around it here`);
    const ids = await waitForHits(stack, bob, { q: tag }, [substring.id, once.id, twice.id, onceNewer.id]);
    expect(ids).toEqual([twice.id, onceNewer.id, once.id, substring.id]);
    const recent = await foundIds(stack, bob, { q: tag, sort: 'recent' });
    expect(recent).toEqual([onceNewer.id, twice.id, once.id, substring.id]);
  });

  it('when a message matches, then its hit carries a snippet with the match marked and the text HTML-escaped', async () => {
    const tag = word('s');
    const long = `${'filler '.repeat(60)}<b>${tag}</b> & more ${'tail '.repeat(60)}`;
    const m = await send(stack, alice, chatId, long);
    await waitForHits(stack, bob, { q: tag }, [m.id]);
    const hit = (await searchMessages(stack, bob, { q: tag })).body.data[0];
    expect(hit.snippet).toContain(`&#60;b&#62;<mark>${tag}</mark>&#60;/b&#62; &#38; more`);
    expect(hit.snippet.startsWith('…')).toBe(true);
    expect(hit.snippet.length).toBeLessThan(300);
    expect(hit).toMatchObject({ id: m.id, chatId, seq: m.seq, senderId: alice.id, type: 'text', text: long, hasAttachment: false });
  });
});

describe('filters and paging', () => {
  it('when filtering by chat, sender, time and mentions, then only matching messages come back', async () => {
    const tag = word('f');
    const other = (await newGroup(stack, bob, [alice])).id;
    const fromAlice = await send(stack, alice, chatId, `${tag} one`);
    const mention = await send(stack, bob, chatId, `${tag} two`, { mentions: [alice.id] });
    const elsewhere = await send(stack, bob, other, `${tag} three`);
    await waitForHits(stack, alice, { q: tag }, [fromAlice.id, mention.id, elsewhere.id]);
    expect((await foundIds(stack, alice, { q: tag, chatId })).sort()).toEqual([fromAlice.id, mention.id].sort());
    expect((await foundIds(stack, alice, { q: tag, senderId: bob.id })).sort()).toEqual([mention.id, elsewhere.id].sort());
    expect(await foundIds(stack, alice, { q: tag, mentionsMe: true })).toEqual([mention.id]);
    expect(await foundIds(stack, alice, { q: tag, kind: 'text', chatId: other })).toEqual([elsewhere.id]);
    expect(await foundIds(stack, alice, { q: tag, hasAttachment: true })).toEqual([]);
    expect(await foundIds(stack, alice, { q: tag, after: elsewhere.createdAt })).toEqual([elsewhere.id]);
    expect((await foundIds(stack, alice, { q: tag, before: elsewhere.createdAt })).sort()).toEqual([fromAlice.id, mention.id].sort());
    expect(await foundIds(stack, alice, { chatId: other, senderId: bob.id })).toContain(elsewhere.id);
  });

  it('when results span pages, then following nextCursor yields every hit exactly once, in both orders', async () => {
    const tag = word('g');
    const sent: string[] = [];
    for (let i = 0; i < 7; i++) sent.push((await send(stack, alice, chatId, `${tag} ${i % 2 ? tag : ''} item ${i}`)).id);
    await waitForHits(stack, bob, { q: tag, limit: 100 }, sent);
    for (const sort of ['relevance', 'recent']) {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const res = await searchMessages(stack, bob, { q: tag, limit: 3, sort, cursor });
        expect(res.status).toBe(200);
        seen.push(...res.body.data.map((h: { id: string }) => h.id));
        cursor = res.body.page.nextCursor ?? undefined;
        expect(res.body.page.hasMore).toBe(cursor !== undefined);
      } while (cursor);
      expect(seen.sort()).toEqual([...sent].sort());
    }
  });

  it('when the ranked window is smaller than the matches, then paging continues into older matches, newest first, each hit once', async () => {
    await checkPagingPastTheWindow(word('h'));
  });

  it('when a cursor is forged, then 400', async () => {
    const res = await searchMessages(stack, bob, { q: 'x', cursor: 'bm90IGEgY3Vyc29y' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
  });
});

describe('edits and deletes', () => {
  it('when a message is edited, then the old text is no longer found and the new text is', async () => {
    const [before, after] = [word('old'), word('new')];
    const m = await send(stack, alice, chatId, `draft ${before}`);
    await waitForHits(stack, bob, { q: before }, [m.id]);
    expect((await as(stack, alice).patch(`/messages/${m.id}`, { text: `final ${after}` })).status).toBe(200);
    await waitForHits(stack, bob, { q: after }, [m.id]);
    expect(await foundIds(stack, bob, { q: before })).toEqual([]);
  });

  it('when a message is deleted for everyone, then nobody finds it any more', async () => {
    const tag = word('d');
    const m = await send(stack, alice, chatId, `secret ${tag}`);
    await waitForHits(stack, bob, { q: tag }, [m.id]);
    expect((await as(stack, alice).delete(`/messages/${m.id}?for=everyone`)).status).toBe(204);
    await waitForHits(stack, bob, { q: tag }, []);
    expect(await foundIds(stack, alice, { q: tag })).toEqual([]);
  });

  it('when a reader deletes a message for themself, then only that reader stops finding it', async () => {
    const tag = word('me');
    const m = await send(stack, alice, chatId, `mine ${tag}`);
    await waitForHits(stack, bob, { q: tag }, [m.id]);
    expect((await as(stack, bob).delete(`/messages/${m.id}?for=me`)).status).toBe(204);
    await waitForHits(stack, bob, { q: tag }, []);
    expect(await foundIds(stack, alice, { q: tag })).toEqual([m.id]);
  });
});

/** On a stack whose ranked window holds 10 matches, 14 matches page from ranked into recent order. */
async function checkPagingPastTheWindow(tag: string): Promise<void> {
  // Also walks the time slices a member of many chats is searched through.
  const small = await startSearchStack({ SEARCH_RANK_WINDOW: '10', SEARCH_PER_CHAT_MAX: '0' });
  try {
    const [a, b] = await newUsers(small, 2);
    const chat = (await newGroup(small, a, [b])).id;
    const sent: string[] = [];
    for (let i = 0; i < 14; i++) sent.push((await send(small, a, chat, i % 3 ? `${tag} plain ${i}` : `${tag} ${tag} strong ${i}`)).id);
    await waitForHits(small, b, { q: tag, limit: 100, sort: 'recent' }, sent);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await searchMessages(small, b, { q: tag, limit: 4, cursor });
      expect(res.status).toBe(200);
      seen.push(...res.body.data.map((h: { id: string }) => h.id));
      cursor = res.body.page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(sent.length);
    expect(new Set(seen)).toEqual(new Set(sent));
    // The oldest four (below the window of ten) come last, newest first.
    expect(seen.slice(10)).toEqual(sent.slice(0, 4).reverse());
  } finally {
    await small.stop();
  }
}

describe('indexing cost', () => {
  it('when messages arrive one by one within the batch interval, then they are indexed in far fewer transactions than messages', async () => {
    const read = async () => {
      const text = await (await fetch(`${stack.services.search!.opsUrl}/metrics`)).text();
      const value = (name: string) => Number(new RegExp(`^${name}\\{[^}]*source="message"[^}]*\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
      return { batches: value('search_index_batches_total'), events: value('search_index_events_total') };
    };
    const tag = word('batch');
    const before = await read();
    const sent = [];
    for (let i = 0; i < 20; i++) sent.push(await send(stack, alice, chatId, `${tag} ${i}`));
    await waitForHits(stack, bob, { q: tag, limit: 50 }, sent.map((m) => m.id).reverse());
    const after = await read();
    expect(after.events - before.events).toBeGreaterThanOrEqual(20);
    expect(after.batches - before.batches).toBeLessThanOrEqual(10);
  });
});

describe('metrics', () => {
  it('when messages are indexed and searched, then /metrics reports index lag and query latency', async () => {
    const tag = word('mx');
    const m = await send(stack, alice, chatId, tag);
    await waitForHits(stack, bob, { q: tag }, [m.id]);
    const text = await (await fetch(`${stack.services.search!.opsUrl}/metrics`)).text();
    const count = (name: string) => Number(new RegExp(`^${name}_count\\{[^}]*\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
    expect(text).toMatch(/search_index_lag_seconds_bucket\{[^}]*source="message"/);
    expect(count('search_index_lag_seconds')).toBeGreaterThan(0);
    expect(text).toMatch(/search_query_duration_seconds_bucket\{[^}]*kind="messages"/);
    expect(count('search_query_duration_seconds')).toBeGreaterThan(0);
  });
});
