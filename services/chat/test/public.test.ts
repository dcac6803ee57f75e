import type { Stack } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EventLog, as, expectInvalid, expectProblem, newGroup, newUser, newUsers, watchEvents } from './helpers.js';
import { startChatStack } from './stack.js';

let stack: Stack;
let log: EventLog;
beforeAll(async () => {
  stack = await startChatStack();
  log = await watchEvents(stack);
});
afterAll(async () => {
  await log?.close();
  await stack?.stop();
});

const discover = (who: { id: string; accessToken: string }, query: string) => as(stack, who).get(`/chats/public${query}`);
const names = (res: { body: { data: { name: string }[] } }) => res.body.data.map((c) => c.name).sort();

describe('public chats', () => {
  it('when public groups and channels exist, then anyone of the app finds them by part of the name, and private ones never', async () => {
    const [owner, seeker] = await newUsers(stack, 2);
    await newGroup(stack, owner, [], { name: 'Hiking Club', isPublic: true });
    await newGroup(stack, owner, [], { type: 'channel', name: 'hiking news', isPublic: true });
    await newGroup(stack, owner, [], { name: 'Secret hiking', isPublic: false });
    const res = await discover(seeker, '?q=HIKING');
    expect(res.status).toBe(200);
    expect(names(res)).toEqual(['Hiking Club', 'hiking news']);
    expect(res.body.data[0]).toEqual({
      id: expect.any(String),
      type: expect.any(String),
      name: expect.any(String),
      description: null,
      avatarMediaId: null,
      memberCount: 1,
      isMember: false,
      createdAt: expect.any(String),
    });
  });

  it('when the query holds LIKE wildcards, then they match literally', async () => {
    const [owner, seeker] = await newUsers(stack, 2);
    await newGroup(stack, owner, [], { name: '100% pure', isPublic: true });
    await newGroup(stack, owner, [], { name: '1000 pure', isPublic: true });
    expect(names(await discover(seeker, `?q=${encodeURIComponent('100%')}`))).toEqual(['100% pure']);
    expect(names(await discover(seeker, `?q=${encodeURIComponent('_00 pure')}`))).toEqual([]);
  });

  it('when the list is paged, then each public chat comes once', async () => {
    const [owner, seeker] = await newUsers(stack, 2);
    const tag = `page${Date.now()}`;
    for (let i = 0; i < 5; i++) await newGroup(stack, owner, [], { name: `${tag} ${i}`, isPublic: true });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await discover(seeker, `?q=${tag}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...res.body.data.map((c: { name: string }) => c.name));
      cursor = res.body.page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([4, 3, 2, 1, 0].map((i) => `${tag} ${i}`));
    expectInvalid(await discover(seeker, '?cursor=nope'), 'query.cursor');
  });

  it('when a user joins a public chat, then 200 as member, it shows as joined, and chat.member.added says public', async () => {
    const [owner, joiner] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner, [], { name: 'Open house', isPublic: true });
    const res = await as(stack, joiner).post(`/chats/${chat.id}/join`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: chat.id, myRole: 'member', memberCount: 2 });
    expect((await discover(joiner, '?q=Open house')).body.data[0]).toMatchObject({ id: chat.id, isMember: true });
    expect((await as(stack, joiner).post(`/chats/${chat.id}/join`)).status).toBe(200);
    const event = await log.waitFor('chat.member.added', { chatId: chat.id, userId: joiner.id });
    expect(event.data).toMatchObject({ via: 'public', by: joiner.id });
    expect(log.about('chat.member.added', chat.id)).toHaveLength(1);
  });

  it('when a user tries to join a private group or a direct chat, then 404', async () => {
    const [owner, peer, intruder] = await newUsers(stack, 3);
    const secret = await newGroup(stack, owner);
    const direct = (await as(stack, owner).post('/chats', { type: 'direct', memberIds: [peer.id] })).body;
    expectProblem(await as(stack, intruder).post(`/chats/${secret.id}/join`), 404, 'not_found');
    expectProblem(await as(stack, intruder).post(`/chats/${direct.id}/join`), 404, 'not_found');
  });

  it('when a public chat turns private, then it is no longer found or joinable', async () => {
    const [owner, seeker] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner, [], { name: 'Briefly open', isPublic: true });
    expect((await as(stack, owner).patch(`/chats/${chat.id}`, { isPublic: false })).status).toBe(200);
    expect((await discover(seeker, '?q=Briefly')).body.data).toEqual([]);
    expectProblem(await as(stack, seeker).post(`/chats/${chat.id}/join`), 404, 'not_found');
  });

  it('when a query is too long or an unknown option is given, then 400', async () => {
    const seeker = await newUser(stack);
    expectInvalid(await discover(seeker, `?q=${'x'.repeat(200)}`), 'query.q');
    expectInvalid(await discover(seeker, '?type=group'), 'query.type');
  });
});
