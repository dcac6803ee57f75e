import { randomUUID } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Stack } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anAvatarId, as, expectInvalid, expectProblem, natsFor, newAppUser, newUser } from './helpers.js';
import { startUserStack } from './stack.js';

let stack: Stack;
let nc: NatsConnection;
let rpc: (subject: string, body: unknown) => Promise<any>;

beforeAll(async () => {
  stack = await startUserStack();
  ({ nc, rpc } = await natsFor(stack));
});
afterAll(async () => {
  await nc?.drain();
  await stack?.stop();
});

describe('blocking', () => {
  it('when a user blocks another, then 201 with the blocked user, it is listed, and blocking again is 200', async () => {
    const [blocker, pest] = await Promise.all([newUser(stack), newUser(stack, { displayName: 'Pest' })]);
    const res = await as(stack, blocker).post('/users/me/blocked', { userId: pest.id });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ userId: pest.id, blockedAt: expect.any(String), profile: { id: pest.id, displayName: 'Pest' } });
    expect((await as(stack, blocker).post('/users/me/blocked', { userId: pest.id })).status).toBe(200);

    const list = await as(stack, blocker).get('/users/me/blocked');
    expect(list.body).toEqual({ data: [res.body], page: { nextCursor: null, hasMore: false } });
    expect((await as(stack, pest).get('/users/me/blocked')).body.data).toEqual([]);
  });

  it('when a user blocks another, then user.block.added is published once (a repeated block publishes nothing, nor does an unblock)', async () => {
    const events = await natsFor(stack, 'evt.user.block.>');
    try {
      const [blocker, pest, other] = await Promise.all([newUser(stack), newUser(stack), newUser(stack)]);
      expect((await as(stack, blocker).post('/users/me/blocked', { userId: pest.id })).status).toBe(201);
      expect((await as(stack, blocker).post('/users/me/blocked', { userId: pest.id })).status).toBe(200);
      expect((await as(stack, blocker).delete(`/users/me/blocked/${pest.id}`)).status).toBe(204);
      // A later block by someone else marks the end: events of one outbox arrive in commit order.
      expect((await as(stack, other).post('/users/me/blocked', { userId: pest.id })).status).toBe(201);
      await events.waitFor('user.block.added', { userId: other.id });
      expect(events.received.map((r) => r.event)).toEqual([
        expect.objectContaining({ type: 'user.block.added', appId: blocker.appId, data: { userId: blocker.id, blockedUserId: pest.id } }),
        expect.objectContaining({ type: 'user.block.added', appId: other.appId, data: { userId: other.id, blockedUserId: pest.id } }),
      ]);
    } finally {
      await events.close();
    }
  });

  it('when a user unblocks, then 204 and the block is gone; unblocking again, or someone never blocked, is 404', async () => {
    const [blocker, pest, stranger] = await Promise.all([newUser(stack), newUser(stack), newUser(stack)]);
    await as(stack, blocker).post('/users/me/blocked', { userId: pest.id });
    expectProblem(await as(stack, stranger).delete(`/users/me/blocked/${pest.id}`), 404, 'not_found');
    expect((await as(stack, blocker).delete(`/users/me/blocked/${pest.id}`)).status).toBe(204);
    expect((await as(stack, blocker).get('/users/me/blocked')).body.data).toEqual([]);
    expectProblem(await as(stack, blocker).delete(`/users/me/blocked/${pest.id}`), 404, 'not_found');
  });

  it('when the user to block is the caller, unknown, of another app, or the body is not valid, then 400 or 404', async () => {
    const [u, other] = await Promise.all([newUser(stack), newAppUser(stack)]);
    expectInvalid(await as(stack, u).post('/users/me/blocked', { userId: u.id }), 'userId');
    expectInvalid(await as(stack, u).post('/users/me/blocked', { userId: u.id, reason: 'spam' }), 'reason');
    expectProblem(await as(stack, u).post('/users/me/blocked', { userId: randomUUID() }), 404, 'not_found');
    expectProblem(await as(stack, u).post('/users/me/blocked', { userId: other.id }), 404, 'not_found');
    expectProblem(await as(stack, other).post('/users/me/blocked', { userId: u.id }), 404, 'not_found');
  });
});

describe('a blocked user tries what exists so far', () => {
  async function blockedPair() {
    const [blocker, blocked] = await Promise.all([newUser(stack), newUser(stack)]);
    const avatarMediaId = await anAvatarId(stack, blocker);
    await as(stack, blocker).patch('/users/me', { avatarMediaId });
    expect((await as(stack, blocker).post('/users/me/blocked', { userId: blocked.id })).status).toBe(201);
    return { blocker, blocked, avatarMediaId };
  }

  it('when the blocked user adds the blocker as a contact, then 403 blocked and nothing is stored', async () => {
    const { blocker, blocked } = await blockedPair();
    expectProblem(await as(stack, blocked).post('/users/me/contacts', { userId: blocker.id }), 403, 'blocked');
    expect((await as(stack, blocked).get('/users/me/contacts')).body.data).toEqual([]);
  });

  it('when the blocked user reads the blocker’s profile, then the photo is hidden though it is for everyone; after unblocking it shows', async () => {
    const { blocker, blocked, avatarMediaId } = await blockedPair();
    const seen = await as(stack, blocked).get(`/users/${blocker.id}`);
    expect(seen.status).toBe(200);
    expect(seen.body.avatarMediaId).toBeNull();
    expect((await as(stack, await newUser(stack)).get(`/users/${blocker.id}`)).body.avatarMediaId).toBe(avatarMediaId);

    await as(stack, blocker).delete(`/users/me/blocked/${blocked.id}`);
    expect((await as(stack, blocked).get(`/users/${blocker.id}`)).body.avatarMediaId).toBe(avatarMediaId);
  });

  it('when the blocked user had the blocker as a contact already, then the contact entry no longer shows the photo', async () => {
    const [blocker, blocked] = await Promise.all([newUser(stack), newUser(stack)]);
    await as(stack, blocker).patch('/users/me', { avatarMediaId: await anAvatarId(stack, blocker) });
    await as(stack, blocked).post('/users/me/contacts', { userId: blocker.id });
    await as(stack, blocker).post('/users/me/blocked', { userId: blocked.id });
    const [entry] = (await as(stack, blocked).get('/users/me/contacts')).body.data;
    expect(entry.profile.avatarMediaId).toBeNull();
  });

  it('when the blocked user blocks back, then both blocks stand', async () => {
    const { blocker, blocked } = await blockedPair();
    expect((await as(stack, blocked).post('/users/me/blocked', { userId: blocker.id })).status).toBe(201);
    const reply = await rpc('rpc.user.block-status', { appId: blocker.appId, pairs: [{ a: blocker.id, b: blocked.id }] });
    expect(reply.data.pairs).toEqual([{ a: blocker.id, b: blocked.id, blocked: true, aBlockedB: true, bBlockedA: true }]);
  });
});

describe('rpc.user.block-status', () => {
  it('when asked for pairs, then each answer says whether either blocked the other, in the order asked', async () => {
    const [a, b, c] = await Promise.all([newUser(stack), newUser(stack), newUser(stack)]);
    await as(stack, a).post('/users/me/blocked', { userId: b.id });
    const reply = await rpc('rpc.user.block-status', {
      appId: a.appId,
      pairs: [
        { a: b.id, b: a.id },
        { a: a.id, b: c.id },
        { a: a.id, b: b.id },
      ],
    });
    expect(reply).toEqual({
      ok: true,
      data: {
        pairs: [
          { a: b.id, b: a.id, blocked: true, aBlockedB: false, bBlockedA: true },
          { a: a.id, b: c.id, blocked: false, aBlockedB: false, bBlockedA: false },
          { a: a.id, b: b.id, blocked: true, aBlockedB: true, bBlockedA: false },
        ],
      },
    });
  });

  it('when asked in the name of another app, then its blocks are not seen', async () => {
    const [a, b] = await Promise.all([newUser(stack), newUser(stack)]);
    await as(stack, a).post('/users/me/blocked', { userId: b.id });
    const reply = await rpc('rpc.user.block-status', { appId: randomUUID(), pairs: [{ a: a.id, b: b.id }] });
    expect(reply.data.pairs[0].blocked).toBe(false);
  });

  it('when the request is not valid, then an error reply', async () => {
    expect(await rpc('rpc.user.block-status', { appId: randomUUID(), pairs: [] })).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
  });
});
