import type { Stack } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type EventLog,
  as,
  closeDatabases,
  database,
  expectInvalid,
  expectProblem,
  memberIds,
  newAppUser,
  newGroup,
  newUser,
  newUsers,
  setRole,
  watchEvents,
} from './helpers.js';
import { startChatStack } from './stack.js';

let stack: Stack;
let log: EventLog;
beforeAll(async () => {
  stack = await startChatStack();
  log = await watchEvents(stack);
});
afterAll(async () => {
  await log?.close();
  await closeDatabases();
  await stack?.stop();
});

const inFuture = (ms: number) => new Date(Date.now() + ms).toISOString();
const join = (who: { id: string; accessToken: string }, code: string) => as(stack, who).post('/chats/join', { code });
const usesOf = async (code: string) => (await database(stack).one('SELECT uses FROM chat.invite_links WHERE code = $1', [code])).uses;

describe('invite links', () => {
  it('when an admin creates a link, then 201 with an unguessable code, its expiry, limit and no uses', async () => {
    const [owner, admin] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner, [admin]);
    await setRole(stack, owner, chat.id, admin.id, 'admin');
    const expiresAt = inFuture(3600_000);
    const res = await as(stack, admin).post(`/chats/${chat.id}/invite-links`, { expiresAt, maxUses: 5 });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      code: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      chatId: chat.id,
      createdBy: admin.id,
      createdAt: expect.any(String),
      expiresAt,
      maxUses: 5,
      uses: 0,
    });
  });

  it('when a user joins with a code, then 200 with the chat as a member, a use is counted and chat.member.added says invite', async () => {
    const [owner, joiner] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner);
    const { code } = (await as(stack, owner).post(`/chats/${chat.id}/invite-links`, {})).body;
    const res = await join(joiner, code);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: chat.id, myRole: 'member', memberCount: 2 });
    expect(await usesOf(code)).toBe(1);
    const event = await log.waitFor('chat.member.added', { chatId: chat.id, userId: joiner.id });
    expect(event.data).toMatchObject({ via: 'invite', by: joiner.id, role: 'member' });

    expect((await join(joiner, code)).status).toBe(200);
    expect(await usesOf(code)).toBe(1);
  });

  it('when a link is used up, then the next join is 404', async () => {
    const [owner, a, b] = await newUsers(stack, 3);
    const chat = await newGroup(stack, owner);
    const { code } = (await as(stack, owner).post(`/chats/${chat.id}/invite-links`, { maxUses: 1 })).body;
    expect((await join(a, code)).status).toBe(200);
    expectProblem(await join(b, code), 404, 'not_found');
    expect(await memberIds(stack, owner, chat.id)).toEqual([owner.id, a.id].sort());
  });

  it('when many join at once with a one-use link, then exactly one gets in', async () => {
    const owner = await newUser(stack);
    const joiners = await newUsers(stack, 6);
    const chat = await newGroup(stack, owner);
    const { code } = (await as(stack, owner).post(`/chats/${chat.id}/invite-links`, { maxUses: 1 })).body;
    const results = await Promise.all(joiners.map((u) => join(u, code)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 404)).toHaveLength(5);
    expect(await memberIds(stack, owner, chat.id)).toHaveLength(2);
  });

  it('when a link has expired, then joining is 404', async () => {
    const [owner, late] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner);
    const { code } = (await as(stack, owner).post(`/chats/${chat.id}/invite-links`, { expiresAt: inFuture(3600_000) })).body;
    // The hour passes.
    await database(stack).none("UPDATE chat.invite_links SET expires_at = now() - interval '1 second' WHERE code = $1", [code]);
    expectProblem(await join(late, code), 404, 'not_found');
  });

  it('when a link is revoked, then joining is 404, and revoking again is 404', async () => {
    const [owner, a] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner);
    const { code } = (await as(stack, owner).post(`/chats/${chat.id}/invite-links`, {})).body;
    expect((await as(stack, owner).delete(`/chats/${chat.id}/invite-links/${code}`)).status).toBe(204);
    expectProblem(await join(a, code), 404, 'not_found');
    expectProblem(await as(stack, owner).delete(`/chats/${chat.id}/invite-links/${code}`), 404, 'not_found');
  });

  it('when a member tries to create or revoke links, then 403', async () => {
    const [owner, m] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner, [m]);
    const { code } = (await as(stack, owner).post(`/chats/${chat.id}/invite-links`, {})).body;
    expectProblem(await as(stack, m).post(`/chats/${chat.id}/invite-links`, {}), 403, 'forbidden');
    expectProblem(await as(stack, m).delete(`/chats/${chat.id}/invite-links/${code}`), 403, 'forbidden');
  });

  it('when the code is unknown, of another chat, or used by another app’s user, then 404', async () => {
    const [owner, a] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner);
    const other = await newGroup(stack, owner);
    const { code } = (await as(stack, owner).post(`/chats/${chat.id}/invite-links`, {})).body;
    expectProblem(await join(a, 'AAAAAAAAAAAAAAAAAAAAAA'), 404, 'not_found');
    expectProblem(await as(stack, owner).delete(`/chats/${other.id}/invite-links/${code}`), 404, 'not_found');
    expectProblem(await join(await newAppUser(stack), code), 404, 'not_found');
    expectInvalid(await join(a, 'short'), 'code');
  });

  it('when the expiry is in the past, then 400', async () => {
    const owner = await newUser(stack);
    const chat = await newGroup(stack, owner);
    expectInvalid(await as(stack, owner).post(`/chats/${chat.id}/invite-links`, { expiresAt: new Date(Date.now() - 1000).toISOString() }), 'expiresAt');
    expectInvalid(await as(stack, owner).post(`/chats/${chat.id}/invite-links`, { maxUses: 0 }), 'maxUses');
  });

  it('when a banned user comes with a code, then 403 banned', async () => {
    const [owner, banned] = await newUsers(stack, 2);
    const chat = await newGroup(stack, owner);
    expect((await as(stack, owner).post(`/chats/${chat.id}/bans`, { userId: banned.id })).status).toBe(201);
    const { code } = (await as(stack, owner).post(`/chats/${chat.id}/invite-links`, {})).body;
    expectProblem(await join(banned, code), 403, 'banned');
    expect(await usesOf(code)).toBe(0);
  });
});
