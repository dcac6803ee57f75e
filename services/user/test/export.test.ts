import type { Stack } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anAvatarId, as, newUser } from './helpers.js';
import { startUserStack } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startUserStack({}, { messaging: true });
});
afterAll(() => stack?.stop());

describe('GET /users/me/export', () => {
  it('when a user exports, then one JSON document holds the profile (with email and phone), settings, contacts and blocks', async () => {
    const [u, friend, pest] = await Promise.all([newUser(stack, { displayName: 'Exporter' }), newUser(stack, { displayName: 'Friend' }), newUser(stack)]);
    const avatarMediaId = await anAvatarId(stack, u);
    await as(stack, u).patch('/users/me', { bio: 'my bio', avatarMediaId, statusText: 'on it' });
    await as(stack, u).patch('/users/me/settings', { privacy: { lastSeen: 'contacts' }, notifications: { mentions: false } });
    const contact = await as(stack, u).post('/users/me/contacts', { userId: friend.id, alias: 'Bestie' });
    const block = await as(stack, u).post('/users/me/blocked', { userId: pest.id });

    const res = await as(stack, u).get('/users/me/export');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body).toEqual({
      exportedAt: expect.any(String),
      profile: {
        id: u.id,
        username: u.username,
        displayName: 'Exporter',
        bio: 'my bio',
        avatarMediaId,
        statusText: 'on it',
        deleted: false,
        createdAt: expect.any(String),
        email: u.email,
        phone: u.phone,
      },
      settings: (await as(stack, u).get('/users/me/settings')).body,
      contacts: [{ userId: friend.id, alias: 'Bestie', addedAt: contact.body.addedAt }],
      blocked: [{ userId: pest.id, blockedAt: block.body.blockedAt }],
      chats: [],
      messages: [],
    });
    expect(res.body.settings.privacy.lastSeen).toBe('contacts');
  });

  it('when a user exports, then the chats they belong to and the messages they sent (not deleted ones) come along', async () => {
    const [u, friend] = await Promise.all([newUser(stack), newUser(stack)]);
    const chat = await as(stack, u).post('/chats', { type: 'group', name: 'Exported', memberIds: [friend.id] });
    expect(chat.status).toBe(201);
    const send = (who: typeof u, text: string) =>
      as(stack, who).post(`/chats/${chat.body.id}/messages`, { clientMessageId: `${who.id}-${text.replace(/ /g, '_')}`, text });
    const kept = await send(u, 'keep me');
    const gone = await send(u, 'delete me');
    await send(friend, 'not mine');
    expect((await as(stack, u).delete(`/messages/${gone.body.id}?for=everyone`)).status).toBe(204);
    const res = await as(stack, u).get('/users/me/export');
    expect(res.status).toBe(200);
    expect(res.body.chats).toEqual([{ chatId: chat.body.id }]);
    expect(res.body.messages.map((m: { id: string }) => m.id)).toEqual([kept.body.id]);
    expect(res.body.messages[0]).toMatchObject({ chatId: chat.body.id, senderId: u.id, text: 'keep me' });
  });

  it('when a user exports, then nothing of other users beyond their ids comes along', async () => {
    const [u, friend] = await Promise.all([newUser(stack), newUser(stack, { displayName: 'Private Friend' })]);
    await as(stack, friend).patch('/users/me', { bio: 'friend bio' });
    await as(stack, u).post('/users/me/contacts', { userId: friend.id });
    const text = JSON.stringify((await as(stack, u).get('/users/me/export')).body);
    for (const secret of ['Private Friend', 'friend bio', friend.email, friend.phone, friend.username]) expect(text).not.toContain(secret);
  });

  it('when another user exports, then they get their own document, not this user’s', async () => {
    const [u, other] = await Promise.all([newUser(stack), newUser(stack)]);
    await as(stack, u).post('/users/me/contacts', { userId: other.id });
    const theirs = (await as(stack, other).get('/users/me/export')).body;
    expect(theirs.profile.id).toBe(other.id);
    expect(theirs.contacts).toEqual([]);
  });
});
