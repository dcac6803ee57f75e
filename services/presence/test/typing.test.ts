import type { Stack } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Live, as, expectInvalid, expectProblem, newAppUser, newGroup, newUsers, randomUUID } from './helpers.js';
import { startPresenceStack } from './stack.js';

const TYPING_TTL_MS = 800;

let stack: Stack;
let live: Live;
beforeAll(async () => {
  // Two replicas sweep the same expiries: each typing stop must still go out once.
  stack = await startPresenceStack({ TYPING_TTL_MS: String(TYPING_TTL_MS) }, 2);
  live = await Live.record(stack);
});
afterAll(async () => {
  await live?.close();
  await stack?.stop();
});

type Who = { id: string; appId: string };
const typing = (who: Who, chatId: string, on = true) => live.rpc('rpc.presence.typing', { appId: who.appId, chatId, userId: who.id, typing: on });
const frames = (chatId: string, userId: string) =>
  live
    .typing(chatId)
    .filter((d) => d.userId === userId)
    .map((d) => d.typing);

describe('rpc.presence.typing', () => {
  it('when a member starts and stops typing, then the chat gets both events and GET /chats/:id/typing lists the member meanwhile', async () => {
    const [owner, member] = await newUsers(stack, 2);
    const chatId = await newGroup(stack, owner!, [member!]);
    const before = Date.now();
    expect(await typing(member!, chatId)).toEqual({ ok: true, data: {} });
    expect(await live.waitTyping(chatId, { userId: member!.id, typing: true })).toEqual({ userId: member!.id, typing: true });
    expect(live.frames(`rt.chat.${chatId}`)[0]).toEqual({ op: 'event', t: 'typing', chatId, d: { userId: member!.id, typing: true } });

    const res = await as(stack, owner!).get(`/chats/${chatId}/typing`);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([{ userId: member!.id, since: expect.any(String) }]);
    expect(Date.parse(res.body.data[0].since)).toBeGreaterThanOrEqual(before - 1000);
    expect((await as(stack, member!).get(`/chats/${chatId}/typing`)).body.data).toEqual(res.body.data);

    await typing(member!, chatId, false);
    await live.waitTyping(chatId, { userId: member!.id, typing: false });
    expect((await as(stack, owner!).get(`/chats/${chatId}/typing`)).body.data).toEqual([]);
    expect(frames(chatId, member!.id)).toEqual([true, false]);
  });

  it('when a member renews three times within a second, then one event goes out', async () => {
    const [owner] = await newUsers(stack, 1);
    const chatId = await newGroup(stack, owner!, []);
    for (let i = 0; i < 3; i++) expect((await typing(owner!, chatId)).ok).toBe(true);
    await typing(owner!, chatId, false);
    await live.waitTyping(chatId, { userId: owner!.id, typing: false });
    expect(frames(chatId, owner!.id)).toEqual([true, false]);
  });

  it('when no renewal comes, then typing stops by itself after the expiry, published once with several replicas', async () => {
    const [owner, member] = await newUsers(stack, 2);
    const chatId = await newGroup(stack, owner!, [member!]);
    const startedAt = Date.now();
    await typing(owner!, chatId);
    await live.waitTyping(chatId, { userId: owner!.id, typing: false });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(TYPING_TTL_MS - 100);
    expect((await as(stack, member!).get(`/chats/${chatId}/typing`)).body.data).toEqual([]);

    // A later expiry in the same chat: by the time it is out, any duplicate of the first would be too.
    await typing(member!, chatId);
    await live.waitTyping(chatId, { userId: member!.id, typing: false });
    expect(frames(chatId, owner!.id)).toEqual([true, false]);
  });

  it('when renewals keep coming, then each extends the expiry', async () => {
    const [owner, member] = await newUsers(stack, 2);
    const chatId = await newGroup(stack, owner!, [member!]);
    await typing(owner!, chatId);
    await typing(member!, chatId);
    let running = true;
    const renewals = (async () => {
      while (running) {
        await new Promise((r) => setTimeout(r, TYPING_TTL_MS / 4));
        if (running) await typing(owner!, chatId);
      }
    })();
    await live.waitTyping(chatId, { userId: member!.id, typing: false });
    running = false;
    await renewals;
    expect(frames(chatId, owner!.id).includes(false)).toBe(false);
    expect((await as(stack, member!).get(`/chats/${chatId}/typing`)).body.data.map((t: { userId: string }) => t.userId)).toEqual([owner!.id]);
  });

  it("when an outsider, a reader of a channel, a member of a frozen chat or a user of another app types, then the chat service's refusal comes back and nothing is published", async () => {
    const [owner, member, outsider] = await newUsers(stack, 3);
    const foreign = await newAppUser(stack);
    const group = await newGroup(stack, owner!, [member!]);
    const channel = await newGroup(stack, owner!, [member!], { type: 'channel' });
    const frozen = await newGroup(stack, owner!, [member!]);
    expect((await as(stack, owner!).patch(`/chats/${frozen}/moderation`, { frozen: true })).status).toBe(200);

    expect(await typing(outsider!, group)).toMatchObject({ ok: false, error: { code: 'not_found', status: 404 } });
    expect(await typing(foreign, group)).toMatchObject({ ok: false, error: { code: 'not_found', status: 404 } });
    expect(await typing(member!, channel)).toMatchObject({ ok: false, error: { code: 'forbidden', status: 403 } });
    expect(await typing(member!, frozen)).toMatchObject({ ok: false, error: { code: 'chat_frozen', status: 403 } });
    expect(await typing(outsider!, randomUUID())).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await typing(owner!, channel)).toEqual({ ok: true, data: {} });
    await live.waitTyping(channel, { userId: owner!.id, typing: true });
    expect([...live.typing(group), ...live.typing(frozen)]).toEqual([]);
  });

  it('when one of a direct chat blocked the other, then typing there is refused as blocked', async () => {
    const [a, b] = await newUsers(stack, 2);
    const direct = (await as(stack, a!).post('/chats', { type: 'direct', memberIds: [b!.id] })).body.id;
    expect((await as(stack, b!).post('/users/me/blocked', { userId: a!.id })).status).toBe(201);
    expect(await typing(a!, direct)).toMatchObject({ ok: false, error: { code: 'blocked', status: 403 } });
    expect(await typing(b!, direct)).toMatchObject({ ok: false, error: { code: 'blocked', status: 403 } });
  });

  it('when the request is malformed, then a validation error comes back at once', async () => {
    const [user] = await newUsers(stack, 1);
    const base = { appId: user!.appId, userId: user!.id, chatId: randomUUID() };
    expect(await live.rpc('rpc.presence.typing', { ...base })).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    expect(await live.rpc('rpc.presence.typing', { ...base, chatId: 'x', typing: true })).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    expect(await live.rpc('rpc.presence.typing', { ...base, typing: 'yes' })).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
  });
});

describe('GET /chats/:id/typing', () => {
  it('when the caller is not a member, the chat is unknown or of another app, then 404; a malformed id is 400', async () => {
    const [owner, outsider] = await newUsers(stack, 2);
    const foreign = await newAppUser(stack);
    const chatId = await newGroup(stack, owner!, []);
    await typing(owner!, chatId);
    expectProblem(await as(stack, outsider!).get(`/chats/${chatId}/typing`), 404, 'not_found');
    expectProblem(await as(stack, foreign).get(`/chats/${chatId}/typing`), 404, 'not_found');
    expectProblem(await as(stack, owner!).get(`/chats/${randomUUID()}/typing`), 404, 'not_found');
    expectInvalid(await as(stack, owner!).get('/chats/nope/typing'), 'params.id');
  });
});
