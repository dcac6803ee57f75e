import { randomUUID } from 'node:crypto';
import { ApiError, type FetchLike, RestClient, type Tokens } from '@chat/client';
import { type Stack, newUsers, uniqueUsername } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expiredTokenOf, restFor, startClientStack } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startClientStack();
});
afterAll(async () => {
  await stack?.stop();
});

/** A fetch that records each call's method and path. */
function recordingFetch(): { fetch: FetchLike; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    fetch: (url, init) => {
      calls.push(`${init.method} ${new URL(url).pathname}`);
      return fetch(url, init);
    },
  };
}

describe('RestClient: auth', () => {
  it('when a user registers, reads itself, logs in elsewhere and logs out, then each call is typed and new tokens reach onTokens', async () => {
    const seen: Tokens[] = [];
    const rest = new RestClient({ baseUrl: stack.gateway.url, onTokens: (t) => seen.push(t) });
    const username = uniqueUsername('cl');
    const registered = await rest.register({ username, password: 'correct horse battery', displayName: 'Client' });
    expect(registered.user.username).toBe(username);
    expect(seen).toEqual([registered.tokens]);
    expect(rest.tokens?.accessToken).toBe(registered.tokens.accessToken);

    expect((await rest.me()).id).toBe(registered.user.id);

    const device = new RestClient({ baseUrl: stack.gateway.url });
    const login = await device.login({ identifier: username, password: 'correct horse battery' });
    expect(login.user.id).toBe(registered.user.id);
    await device.logout();
    expect(device.tokens).toBeUndefined();

    const stale = new RestClient({ baseUrl: stack.gateway.url, tokens: { accessToken: login.tokens.accessToken } });
    await expect(stale.me()).rejects.toMatchObject({ status: 401 });
    expect((await rest.me()).id).toBe(registered.user.id);
  });

  it('when the access token has expired, then one refresh (shared by parallel calls) runs and each call is repeated once', async () => {
    const [user] = await newUsers(stack, 1);
    const seen: Tokens[] = [];
    const { fetch, calls } = recordingFetch();
    const rest = new RestClient({
      baseUrl: stack.gateway.url,
      fetch,
      tokens: { accessToken: expiredTokenOf(stack, user), refreshToken: user.refreshToken },
      onTokens: (t) => seen.push(t),
    });

    const [me, chats] = await Promise.all([rest.me(), rest.listChats()]);
    expect(me.id).toBe(user.id);
    expect(chats.data).toEqual([]);
    expect(seen).toHaveLength(1);
    expect(rest.tokens).toEqual({ accessToken: seen[0]!.accessToken, refreshToken: seen[0]!.refreshToken });
    expect(calls.filter((c) => c === 'POST /api/v1/auth/refresh')).toHaveLength(1);
    expect(calls.filter((c) => c === 'GET /api/v1/auth/me')).toHaveLength(2);
    // The rotated-away refresh token is spent; the session goes on with the new pair.
    await expect(restFor(stack, user).refresh()).rejects.toMatchObject({ status: 401 });
  });

  it('when the refresh itself is refused, then the caller gets that ApiError after a single refresh attempt', async () => {
    const [user] = await newUsers(stack, 1);
    const { fetch, calls } = recordingFetch();
    const rest = new RestClient({
      baseUrl: stack.gateway.url,
      fetch,
      tokens: { accessToken: expiredTokenOf(stack, user), refreshToken: 'not-a-refresh-token-at-all-0123456789' },
    });

    const err = await rest.me().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 401, code: 'unauthorized' });
    expect(calls).toEqual(['GET /api/v1/auth/me', 'POST /api/v1/auth/refresh']);
  });

  it('when the token has expired and no refresh token is held, then token_expired reaches the caller', async () => {
    const [user] = await newUsers(stack, 1);
    const rest = new RestClient({ baseUrl: stack.gateway.url, tokens: { accessToken: expiredTokenOf(stack, user) } });
    await expect(rest.me()).rejects.toMatchObject({ status: 401, code: 'token_expired' });
  });
});

describe('RestClient: chats and messages', () => {
  it('when a group is created, read, listed and its members changed, then the typed results match', async () => {
    const [owner, bob, carol] = await newUsers(stack, 3);
    const rest = restFor(stack, owner);
    const chat = await rest.createChat({ type: 'group', name: 'Typed', memberIds: [bob.id] });
    expect(chat).toMatchObject({ type: 'group', name: 'Typed', myRole: 'owner' });
    expect((await rest.getChat(chat.id)).id).toBe(chat.id);
    expect((await rest.listAllChats()).map((c) => c.id)).toContain(chat.id);

    const added = await rest.addMembers(chat.id, { userIds: [carol.id] });
    expect(added.members.map((m) => m.userId)).toEqual([carol.id]);
    await rest.removeMember(chat.id, bob.id);
    const members = await rest.listMembers(chat.id);
    expect(members.data.map((m) => m.userId).sort()).toEqual([owner.id, carol.id].sort());
  });

  it('when messages are sent, paged, edited, reacted to, deleted and read, then history, events and unread follow', async () => {
    const [alice, bob] = await newUsers(stack, 2);
    const a = restFor(stack, alice);
    const b = restFor(stack, bob);
    const chat = await a.createChat({ type: 'group', name: 'Log', memberIds: [bob.id] });

    const first = await a.sendMessage(chat.id, { text: 'one', clientMessageId: 'rest-one' });
    expect(await a.sendMessage(chat.id, { text: 'one', clientMessageId: 'rest-one' })).toEqual(first);
    const second = await a.sendMessage(chat.id, { text: 'two' });
    const third = await a.sendMessage(chat.id, { text: 'three' });

    expect((await b.history(chat.id)).data.map((m) => m.text)).toEqual(['three', 'two', 'one']);
    expect((await b.history(chat.id, { before: third.seq })).data.map((m) => m.id)).toEqual([second.id, first.id]);
    expect((await b.history(chat.id, { after: first.seq })).data.map((m) => m.id)).toEqual([second.id, third.id]);

    expect((await b.unread()).chats).toContainEqual(expect.objectContaining({ chatId: chat.id, unreadCount: 3 }));
    await b.markRead(chat.id, second.seq);
    expect((await b.unread()).chats).toContainEqual(expect.objectContaining({ chatId: chat.id, unreadCount: 1 }));

    expect((await a.editMessage(first.id, 'one!')).text).toBe('one!');
    expect((await b.react(first.id, '👍')).reactions).toEqual([{ emoji: '👍', count: 1, me: true }]);
    await b.unreact(first.id, '👍');
    await a.deleteMessage(second.id, 'everyone');
    expect(await b.getMessage(second.id)).toMatchObject({ deleted: true, text: null });

    const events = await b.events(chat.id, { after: first.seq });
    expect(events.data.map((e) => e.type)).toEqual([
      'message.created',
      'message.created',
      'message.edited',
      'reaction.added',
      'reaction.removed',
      'message.deleted',
    ]);
    expect(events.hasMore).toBe(false);
    expect(events.lastSeq).toBe(events.data.at(-1)!.seq);
  });

  it('when a call fails, then it rejects with an ApiError carrying status, code, message and the problem body', async () => {
    const [user, outsider] = await newUsers(stack, 2);
    const rest = restFor(stack, user);
    const chat = await rest.createChat({ type: 'group', name: 'Closed' });

    const missing = await rest.getChat(randomUUID()).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ApiError);
    expect(missing).toMatchObject({ status: 404, code: 'not_found' });
    expect((missing as ApiError).body).toMatchObject({ status: 404, code: 'not_found' });

    await expect(restFor(stack, outsider).sendMessage(chat.id, { text: 'hi' })).rejects.toMatchObject({ status: 404, code: 'not_found' });
    const invalid = await rest.sendMessage(chat.id, { text: '   ' }).catch((e: unknown) => e);
    expect(invalid).toMatchObject({ status: 400, code: 'validation_failed', retryable: false });
    expect((invalid as ApiError).message.length).toBeGreaterThan(0);

    const unreachable = new RestClient({ baseUrl: 'http://127.0.0.1:1' });
    await expect(unreachable.me()).rejects.toMatchObject({ status: 0, code: 'network_error', retryable: true });
  });
});
