import { randomUUID } from 'node:crypto';
import type { Stack } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, expectInvalid, expectProblem, newAppUser, newUser } from './helpers.js';
import { startUserStack } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startUserStack();
});
afterAll(() => stack?.stop());

describe('contacts', () => {
  it('when a contact is added with an alias, then 201 with the contact and its profile, and it is listed', async () => {
    const [owner, friend] = await Promise.all([newUser(stack), newUser(stack, { displayName: 'Grace' })]);
    const res = await as(stack, owner).post('/users/me/contacts', { userId: friend.id, alias: ' Gracie ' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      userId: friend.id,
      alias: 'Gracie',
      addedAt: expect.any(String),
      profile: { id: friend.id, displayName: 'Grace', username: friend.username },
    });

    const list = await as(stack, owner).get('/users/me/contacts');
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ data: [res.body], page: { nextCursor: null, hasMore: false } });
    // The friend's own list is untouched: contacts are one-way.
    expect((await as(stack, friend).get('/users/me/contacts')).body.data).toEqual([]);
  });

  it('when an existing contact is added again, then 200 with the new alias (or the old one kept when none is given)', async () => {
    const [owner, friend] = await Promise.all([newUser(stack), newUser(stack)]);
    await as(stack, owner).post('/users/me/contacts', { userId: friend.id, alias: 'First' });
    const renamed = await as(stack, owner).post('/users/me/contacts', { userId: friend.id, alias: 'Second' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.alias).toBe('Second');
    expect((await as(stack, owner).post('/users/me/contacts', { userId: friend.id })).body.alias).toBe('Second');
    expect((await as(stack, owner).get('/users/me/contacts')).body.data).toHaveLength(1);
  });

  it('when a contact is removed, then 204 and it is gone; removing it again is 404', async () => {
    const [owner, friend] = await Promise.all([newUser(stack), newUser(stack)]);
    await as(stack, owner).post('/users/me/contacts', { userId: friend.id });
    expect((await as(stack, owner).delete(`/users/me/contacts/${friend.id}`)).status).toBe(204);
    expect((await as(stack, owner).get('/users/me/contacts')).body.data).toEqual([]);
    expectProblem(await as(stack, owner).delete(`/users/me/contacts/${friend.id}`), 404, 'not_found');
  });

  it('when someone removes a contact of another user by id, then 404 and that user keeps it', async () => {
    const [owner, friend, intruder] = await Promise.all([newUser(stack), newUser(stack), newUser(stack)]);
    await as(stack, owner).post('/users/me/contacts', { userId: friend.id });
    expectProblem(await as(stack, intruder).delete(`/users/me/contacts/${friend.id}`), 404, 'not_found');
    expect((await as(stack, owner).get('/users/me/contacts')).body.data).toHaveLength(1);
  });

  it('when there are more contacts than the page, then pages follow the cursor without gaps or repeats', async () => {
    const owner = await newUser(stack);
    const friends = await Promise.all(Array.from({ length: 5 }, () => newUser(stack)));
    for (const f of friends) await as(stack, owner).post('/users/me/contacts', { userId: f.id });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await as(stack, owner).get(`/users/me/contacts?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.data.map((c: { userId: string }) => c.userId));
      cursor = res.body.page.nextCursor;
      expect(res.body.page.hasMore).toBe(cursor !== null);
    } while (cursor);
    expect(seen).toEqual(friends.map((f) => f.id).sort());
    expectInvalid(await as(stack, owner).get('/users/me/contacts?cursor=garbage'), 'query.cursor');
    expectInvalid(await as(stack, owner).get('/users/me/contacts?limit=101'), 'query.limit');
  });

  it('when the user to add is unknown or of another app, then 404 and nothing is stored', async () => {
    const [owner, other] = await Promise.all([newUser(stack), newAppUser(stack)]);
    await as(stack, other).get('/users/me');
    expectProblem(await as(stack, owner).post('/users/me/contacts', { userId: randomUUID() }), 404, 'not_found');
    expectProblem(await as(stack, owner).post('/users/me/contacts', { userId: other.id }), 404, 'not_found');
    expectProblem(await as(stack, other).post('/users/me/contacts', { userId: owner.id }), 404, 'not_found');
    expect((await as(stack, owner).get('/users/me/contacts')).body.data).toEqual([]);
  });

  it('when two users add each other many times at the same moment, then every request succeeds (no lock cycle)', async () => {
    const [a, b] = await Promise.all([newUser(stack), newUser(stack)]);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        i % 2 === 0 ? as(stack, a).post('/users/me/contacts', { userId: b.id }) : as(stack, b).post('/users/me/contacts', { userId: a.id }),
      ),
    );
    expect(results.map((r) => r.status).every((s) => s === 200 || s === 201)).toBe(true);
    expect((await as(stack, a).get('/users/me/contacts')).body.data.map((c: { userId: string }) => c.userId)).toEqual([b.id]);
    expect((await as(stack, b).get('/users/me/contacts')).body.data.map((c: { userId: string }) => c.userId)).toEqual([a.id]);
  });

  it('when a user adds themself, or the body is not valid, then 400 naming the field', async () => {
    const u = await newUser(stack);
    expectInvalid(await as(stack, u).post('/users/me/contacts', { userId: u.id }), 'userId');
    expectInvalid(await as(stack, u).post('/users/me/contacts', { userId: 'x' }), 'userId');
    expectInvalid(await as(stack, u).post('/users/me/contacts', { userId: randomUUID(), alias: 'a'.repeat(65) }), 'alias');
    expectInvalid(await as(stack, u).post('/users/me/contacts', { userId: randomUUID(), phone: '+15550000000' }), 'phone');
  });
});
