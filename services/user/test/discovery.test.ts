import type { Stack } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  as,
  closeDatabases,
  expectInvalid,
  expectProblem,
  newAppUser,
  newUser,
  newUserWithVerifiedPhone,
  profileRow,
  textedCode,
  verifyEmail,
  verifyPhone,
} from './helpers.js';
import { startUserStack } from './stack.js';

const SYNCS_PER_HOUR = 40;

let stack: Stack;
beforeAll(async () => {
  stack = await startUserStack({ RATE_LIMIT_CONTACT_SYNC_PER_HOUR: String(SYNCS_PER_HOUR) });
});
afterAll(async () => {
  await closeDatabases();
  await stack?.stop();
});

const sync = (who: { id: string; accessToken: string }, body: unknown) => as(stack, who).post('/users/me/contacts/sync', body);
const matchedIds = (res: { body: { data: { userId: string }[] } }) => res.body.data.map((m) => m.userId).sort();

describe('POST /users/me/contacts/sync', () => {
  it('when verified phones of users who allow discovery are sent, then exactly those users come back, naming the matching phone', async () => {
    const [me, found, alsoFound] = await Promise.all([
      newUser(stack),
      newUserWithVerifiedPhone(stack, { displayName: 'Found' }),
      newUserWithVerifiedPhone(stack),
    ]);
    const res = await sync(me, { phones: [found.phone, alsoFound.phone, '+15550001111'] });
    expect(res.status).toBe(200);
    expect(matchedIds(res)).toEqual([found.id, alsoFound.id].sort());
    expect(res.body.data.find((m: { userId: string }) => m.userId === found.id)).toEqual({
      userId: found.id,
      phone: found.phone,
      profile: expect.objectContaining({ id: found.id, displayName: 'Found', username: found.username }),
    });
    expect(res.body.page).toEqual({ nextCursor: null, hasMore: false });
  });

  it('when a user turned phone discovery off, then their phone finds nobody', async () => {
    const [me, shy] = await Promise.all([newUser(stack), newUserWithVerifiedPhone(stack)]);
    expect((await sync(me, { phones: [shy.phone] })).body.data).toHaveLength(1);
    await as(stack, shy).patch('/users/me/settings', { privacy: { discoverableByPhone: false } });
    expect((await sync(me, { phones: [shy.phone] })).body.data).toEqual([]);
  });

  it('when an email is synced, then it finds its user only once the address is verified and while email discovery is on', async () => {
    const [me, target] = await Promise.all([newUser(stack), newUser(stack)]);
    expect((await sync(me, { emails: [target.email] })).body.data).toEqual([]);

    await verifyEmail(stack, target);
    const found = await sync(me, { emails: [target.email.toUpperCase()] });
    expect(found.body.data).toEqual([expect.objectContaining({ userId: target.id, email: target.email })]);
    expect(found.body.data[0].phone).toBeUndefined();

    await as(stack, target).patch('/users/me/settings', { privacy: { discoverableByEmail: false } });
    expect((await sync(me, { emails: [target.email] })).body.data).toEqual([]);
  });

  it('when a number was never verified, then it finds nobody, neither its owner nor whoever else claimed it', async () => {
    const [me, unverified] = await Promise.all([newUser(stack), newUser(stack)]);
    expect((await sync(me, { phones: [unverified.phone] })).body.data).toEqual([]);
  });

  it('when someone registers a victim’s number, then a sync finds nobody; once the victim verifies it, the victim and only the victim is found', async () => {
    const [me, victim] = await Promise.all([newUser(stack), newUser(stack)]);
    const squatter = { ...(await newUser(stack, { phone: victim.phone })), phone: victim.phone };
    expect((await sync(me, { phones: [victim.phone] })).body.data).toEqual([]);

    await verifyPhone(stack, victim);
    const found = await sync(me, { phones: [victim.phone] });
    expect(found.body.data).toEqual([expect.objectContaining({ userId: victim.id, phone: victim.phone })]);
    // The squatter's unverified claim is dropped here as in auth.
    expect(await profileRow(stack, squatter.id)).toMatchObject({ phone: null, phone_verified: false });
  });

  it('when a wrong code is sent, then 400 and the number stays unfindable; a used code is refused', async () => {
    const [me, owner] = await Promise.all([newUser(stack), newUser(stack)]);
    const code = await textedCode(stack, owner);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    expectInvalid(await as(stack, owner).post('/auth/verify-phone', { code: wrong }), 'code');
    expect((await sync(me, { phones: [owner.phone] })).body.data).toEqual([]);

    expect((await as(stack, owner).post('/auth/verify-phone', { code })).status).toBe(204);
    expectInvalid(await as(stack, owner).post('/auth/verify-phone', { code }), 'code');
  });

  it('when another account registers a number the owner verified, then 409 and the sync still finds only the owner', async () => {
    const [me, owner] = await Promise.all([newUser(stack), newUserWithVerifiedPhone(stack)]);
    const late = await stack.api.post('/api/v1/auth/register', { username: `late_${Date.now()}`, password: 'correct horse battery', phone: owner.phone });
    expectProblem(late, 409, 'conflict');
    expect((await sync(me, { phones: [owner.phone] })).body.data).toEqual([expect.objectContaining({ userId: owner.id })]);
  });

  it('when the caller’s own phone is synced, then the caller is not in the answer', async () => {
    const me = await newUser(stack);
    expect((await sync(me, { phones: [me.phone] })).body.data).toEqual([]);
  });

  it('when a user of another app holds the number, then it is not found (and the other way round)', async () => {
    const [me, other] = await Promise.all([newUserWithVerifiedPhone(stack), newAppUser(stack)]);
    expect((await sync(other, { phones: [me.phone], emails: [me.email] })).body.data).toEqual([]);
  });

  it('when a user blocked the caller, then the caller cannot find them by phone', async () => {
    const [me, blocker] = await Promise.all([newUser(stack), newUserWithVerifiedPhone(stack)]);
    expect((await sync(me, { phones: [blocker.phone] })).body.data).toHaveLength(1);
    expect((await as(stack, blocker).post('/users/me/blocked', { userId: me.id })).status).toBe(201);
    expect((await sync(me, { phones: [blocker.phone] })).body.data).toEqual([]);
  });

  it('when a batch holds more than 500 phones and emails, or a malformed one, or unknown fields, then 400', async () => {
    const me = await newUser(stack);
    const phones = Array.from({ length: 300 }, (_, i) => `+1444${String(i).padStart(7, '0')}`);
    const emails = Array.from({ length: 201 }, (_, i) => `nobody${i}@example.test`);
    expectProblem(await sync(me, { phones, emails }), 400, 'validation_failed');
    expectInvalid(await sync(me, { phones: [...phones, ...phones] }), 'phones');
    expectInvalid(await sync(me, { phones: ['555-1234'] }), 'phones.0');
    expectInvalid(await sync(me, { emails: ['not an email'] }), 'emails.0');
    expectInvalid(await sync(me, { usernames: ['alice'] }), 'usernames');
    expect((await sync(me, { phones, emails: emails.slice(0, 200) })).status).toBe(200);
  });
});

describe('contact sync flood', () => {
  it('when one user syncs past the hourly budget, then 429 rate_limited with Retry-After, and another user is not affected', async () => {
    const [scraper, bystander] = await Promise.all([newUser(stack), newUser(stack)]);
    const batch = { phones: Array.from({ length: 500 }, (_, i) => `+1333${String(i).padStart(7, '0')}`) };
    for (let i = 0; i < SYNCS_PER_HOUR; i++) expect((await sync(scraper, batch)).status).toBe(200);

    const limited = await sync(scraper, batch);
    expectProblem(limited, 429, 'rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('ratelimit')).toMatch(/"gw-contactSync"; r=0/);
    expect((await sync(bystander, batch)).status).toBe(200);
    // Other routes keep working for the limited user.
    expect((await as(stack, scraper).get('/users/me')).status).toBe(200);
  });
});
