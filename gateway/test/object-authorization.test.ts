import { randomUUID } from 'node:crypto';
import { type ApiResponse, type Stack, as, closeStackDatabases, expectProblem, registerUser } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Attacker, type AttackerKind, type World, buildWorld, snapshot, startFullStack } from './object-authorization.world.js';

/**
 * Object-level authorization through the gateway: a member removed from app A's group, a user of
 * app A who was never in it, and a user of app B try every route that reads or changes the group,
 * its messages, its media and its invite link. Each gets the contract's answer (404 `not_found`
 * for what they may not see, never revealing that it exists), and none of their writes lands.
 */

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

interface RouteCase {
  /** How the test names the route. */
  route: string;
  method: Method;
  path: (w: World, a: Attacker) => string;
  body?: (w: World, a: Attacker) => unknown;
  /** The expected answer (`again` repeats the call in another world); by default 404 `not_found`. */
  expect?: (res: ApiResponse, w: World, a: Attacker, again: (w: World) => Promise<ApiResponse>) => void | Promise<void>;
  /** Only these attackers (the others may legitimately do it: same app, own data). */
  only?: AttackerKind[];
  /** What the test says the attacker gets, when not 404. */
  outcome?: string;
}

const FOREIGN: AttackerKind[] = ['user of another app'];
const ids = (list: Record<string, unknown>[] | undefined, key: 'id' | 'chatId') => (list ?? []).map((x) => x[key]);

/**
 * Using someone else's media (as attachment or picture) is refused with 403, word for word as for
 * a media id that does not exist: the answer tells nothing about the media.
 */
const OTHERS_MEDIA = '403 forbidden, as for an unknown media';
async function refusedAsUnknownMedia(res: ApiResponse, w: World, _a: Attacker, again: (w: World) => Promise<ApiResponse>) {
  expectProblem(res, 403, 'forbidden');
  const unknown = await again({ ...w, mediaId: randomUUID() });
  expect({ status: unknown.status, code: unknown.body.code, detail: unknown.body.detail }).toEqual({ status: 403, code: 'forbidden', detail: res.body.detail });
}

/** A 200 list whose items (`pick`) carry in `key` nothing of the world's `target` (the chat or the media). */
const listsNot =
  (target: 'chatId' | 'mediaId', key: 'id' | 'chatId', pick: (body: any) => Record<string, unknown>[] | undefined = (b) => b.data) =>
  (res: ApiResponse, w: World) => {
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(ids(pick(res.body), key)).not.toContain(w[target]);
  };

const CHAT_ROUTES: RouteCase[] = [
  { route: 'GET /chats/:id', method: 'get', path: (w) => `/chats/${w.chatId}` },
  { route: 'PATCH /chats/:id', method: 'patch', path: (w) => `/chats/${w.chatId}`, body: () => ({ name: 'Taken over' }) },
  { route: 'DELETE /chats/:id', method: 'delete', path: (w) => `/chats/${w.chatId}` },
  { route: 'GET /chats/:id/members', method: 'get', path: (w) => `/chats/${w.chatId}/members` },
  { route: 'POST /chats/:id/members (adding themself)', method: 'post', path: (w) => `/chats/${w.chatId}/members`, body: (_w, a) => ({ userIds: [a.id] }) },
  { route: 'PATCH /chats/:id/members/:userId', method: 'patch', path: (w) => `/chats/${w.chatId}/members/${w.member.id}`, body: () => ({ role: 'admin' }) },
  { route: 'DELETE /chats/:id/members/:userId', method: 'delete', path: (w) => `/chats/${w.chatId}/members/${w.member.id}` },
  { route: 'POST /chats/:id/leave', method: 'post', path: (w) => `/chats/${w.chatId}/leave` },
  { route: 'POST /chats/:id/join (a private group)', method: 'post', path: (w) => `/chats/${w.chatId}/join` },
  { route: 'POST /chats/:id/invite-links', method: 'post', path: (w) => `/chats/${w.chatId}/invite-links`, body: () => ({}) },
  { route: 'DELETE /chats/:id/invite-links/:code', method: 'delete', path: (w) => `/chats/${w.chatId}/invite-links/${w.inviteCode}` },
  { route: 'POST /chats/join (the invite code)', method: 'post', path: () => '/chats/join', body: (w) => ({ code: w.inviteCode }), only: FOREIGN },
  { route: 'PUT /chats/:id/settings', method: 'put', path: (w) => `/chats/${w.chatId}/settings`, body: () => ({ pinned: true }) },
  { route: 'POST /chats/:id/bans', method: 'post', path: (w) => `/chats/${w.chatId}/bans`, body: (w) => ({ userId: w.member.id }) },
  { route: 'DELETE /chats/:id/bans/:userId', method: 'delete', path: (w) => `/chats/${w.chatId}/bans/${w.banned.id}` },
  { route: 'PATCH /chats/:id/moderation', method: 'patch', path: (w) => `/chats/${w.chatId}/moderation`, body: () => ({ frozen: true }) },
  { route: 'POST /chats/:id/truncate', method: 'post', path: (w) => `/chats/${w.chatId}/truncate` },
  { route: 'GET /chats (the list)', method: 'get', path: () => '/chats', expect: listsNot('chatId', 'id'), outcome: 'the chat is not listed' },
  {
    route: 'POST /chats (a group with the owner)',
    method: 'post',
    path: () => '/chats',
    body: (w) => ({ type: 'group', name: 'Lure', memberIds: [w.owner.id] }),
    only: FOREIGN,
  },
];

const MESSAGE_ROUTES: RouteCase[] = [
  {
    route: 'POST /chats/:id/messages',
    method: 'post',
    path: (w) => `/chats/${w.chatId}/messages`,
    body: () => ({ clientMessageId: randomUUID(), text: 'intruding' }),
  },
  { route: 'GET /chats/:id/messages', method: 'get', path: (w) => `/chats/${w.chatId}/messages` },
  { route: 'GET /chats/:id/events', method: 'get', path: (w) => `/chats/${w.chatId}/events?after=0` },
  { route: 'GET /chats/:id/pins', method: 'get', path: (w) => `/chats/${w.chatId}/pins` },
  { route: 'POST /chats/:id/read', method: 'post', path: (w) => `/chats/${w.chatId}/read`, body: () => ({ seq: 1000 }) },
  { route: 'POST /chats/:id/delivered', method: 'post', path: (w) => `/chats/${w.chatId}/delivered`, body: () => ({ seq: 1000 }) },
  { route: 'PUT /chats/:id/draft', method: 'put', path: (w) => `/chats/${w.chatId}/draft`, body: () => ({ text: 'a draft' }) },
  { route: 'GET /drafts', method: 'get', path: () => '/drafts', expect: listsNot('chatId', 'chatId'), outcome: 'no draft of the chat' },
  {
    route: 'GET /chats/unread',
    method: 'get',
    path: () => '/chats/unread',
    expect: listsNot('chatId', 'chatId', (b) => b.chats),
    outcome: 'no unread count of the chat',
  },
  { route: 'GET /messages/:id', method: 'get', path: (w) => `/messages/${w.messageId}` },
  { route: 'PATCH /messages/:id', method: 'patch', path: (w) => `/messages/${w.messageId}`, body: () => ({ text: 'rewritten' }) },
  { route: 'DELETE /messages/:id?for=everyone', method: 'delete', path: (w) => `/messages/${w.messageId}?for=everyone` },
  { route: 'DELETE /messages/:id?for=me', method: 'delete', path: (w) => `/messages/${w.messageId}?for=me` },
  { route: 'GET /messages/:id/edits', method: 'get', path: (w) => `/messages/${w.messageId}/edits` },
  { route: 'POST /messages/:id/reactions', method: 'post', path: (w) => `/messages/${w.messageId}/reactions`, body: () => ({ emoji: '🔥' }) },
  { route: 'DELETE /messages/:id/reactions/:emoji', method: 'delete', path: (w) => `/messages/${w.messageId}/reactions/${encodeURIComponent(w.emoji)}` },
  { route: 'GET /messages/:id/reactions', method: 'get', path: (w) => `/messages/${w.messageId}/reactions` },
  { route: 'POST /messages/:id/pin', method: 'post', path: (w) => `/messages/${w.pollId}/pin` },
  { route: 'DELETE /messages/:id/pin', method: 'delete', path: (w) => `/messages/${w.messageId}/pin` },
  { route: 'GET /messages/:id/replies', method: 'get', path: (w) => `/messages/${w.messageId}/replies` },
  { route: 'GET /messages/:id/receipts', method: 'get', path: (w) => `/messages/${w.messageId}/receipts` },
  { route: 'POST /messages/:id/votes', method: 'post', path: (w) => `/messages/${w.pollId}/votes`, body: () => ({ optionIds: [0] }) },
  {
    route: 'PATCH /messages/:id (a message the removed member once sent)',
    method: 'patch',
    path: (w) => `/messages/${w.formerMessageId}`,
    body: () => ({ text: 'rewritten' }),
  },
  {
    route: 'DELETE /messages/:id?for=everyone (a message the removed member once sent)',
    method: 'delete',
    path: (w) => `/messages/${w.formerMessageId}?for=everyone`,
  },
  {
    route: 'POST /chats/:own/messages forwarding the message',
    method: 'post',
    path: (_w, a) => `/chats/${a.ownChatId}/messages`,
    body: (w) => ({ clientMessageId: randomUUID(), forwardFromMessageId: w.messageId }),
  },
];

const MEDIA_ROUTES: RouteCase[] = [
  { route: 'GET /media/:id', method: 'get', path: (w) => `/media/${w.mediaId}` },
  { route: 'DELETE /media/:id', method: 'delete', path: (w) => `/media/${w.mediaId}` },
  { route: 'POST /media/:id/complete', method: 'post', path: (w) => `/media/${w.mediaId}/complete` },
  {
    route: 'GET /media/:id/content (a forged signature)',
    method: 'get',
    path: (w) => `/media/${w.mediaId}/content?variant=original&exp=${Math.floor(Date.now() / 1000) + 60}&sig=${'A'.repeat(43)}`,
  },
  { route: 'GET /media (the list)', method: 'get', path: () => '/media', expect: listsNot('mediaId', 'id'), outcome: 'the media is not listed' },
  {
    route: 'POST /chats/:own/messages attaching the media',
    method: 'post',
    path: (_w, a) => `/chats/${a.ownChatId}/messages`,
    body: (w) => ({ clientMessageId: randomUUID(), attachments: [{ mediaId: w.mediaId }] }),
    expect: refusedAsUnknownMedia,
    outcome: OTHERS_MEDIA,
  },
  {
    route: 'PATCH /chats/:own (the media as picture)',
    method: 'patch',
    path: (_w, a) => `/chats/${a.ownChatId}`,
    body: (w) => ({ avatarMediaId: w.mediaId }),
    expect: refusedAsUnknownMedia,
    outcome: OTHERS_MEDIA,
  },
  {
    route: 'PATCH /users/me (the media as profile photo)',
    method: 'patch',
    path: () => '/users/me',
    body: (w) => ({ avatarMediaId: w.mediaId }),
    expect: refusedAsUnknownMedia,
    outcome: OTHERS_MEDIA,
  },
];

const PRESENCE_AND_SEARCH_ROUTES: RouteCase[] = [
  { route: 'GET /chats/:id/typing', method: 'get', path: (w) => `/chats/${w.chatId}/typing` },
  {
    route: 'GET /presence/users (the online owner)',
    method: 'get',
    path: (w) => `/presence/users?ids=${w.owner.id}`,
    expect: (res, w) => {
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.data).toEqual([{ userId: w.owner.id, status: 'offline' }]);
    },
    only: FOREIGN,
    outcome: 'the owner is offline with nothing more, as an unknown user',
  },
  { route: 'GET /users/:id (the owner)', method: 'get', path: (w) => `/users/${w.owner.id}`, only: FOREIGN },
  {
    route: 'GET /search/messages?chatId=',
    method: 'get',
    path: (w) => `/search/messages?chatId=${w.chatId}`,
    expect: listsNot('chatId', 'chatId'),
    outcome: 'no hit',
  },
  { route: 'GET /search/messages?q=', method: 'get', path: (w) => `/search/messages?q=${w.secret}`, expect: listsNot('chatId', 'chatId'), outcome: 'no hit' },
  {
    route: 'GET /search/chats?q=',
    method: 'get',
    path: (w) => `/search/chats?q=${encodeURIComponent(w.chatName)}`,
    expect: listsNot('chatId', 'id'),
    outcome: 'no hit',
  },
  {
    route: 'GET /search?q=',
    method: 'get',
    path: (w) => `/search?q=${w.secret}`,
    expect: (res, w) => {
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(ids(res.body.messages?.data, 'chatId')).not.toContain(w.chatId);
      expect(ids(res.body.chats?.data, 'id')).not.toContain(w.chatId);
    },
    outcome: 'no hit',
  },
];

const ROUTES = [...CHAT_ROUTES, ...MESSAGE_ROUTES, ...MEDIA_ROUTES, ...PRESENCE_AND_SEARCH_ROUTES];

interface OpCase {
  op: string;
  d: (w: World) => Record<string, unknown>;
}

/** The socket's ops on the chat: the same rules as REST, over `rpc.message.*` and `rpc.presence.*`. */
const SOCKET_OPS: OpCase[] = [
  { op: 'message.send', d: (w) => ({ chatId: w.chatId, clientMessageId: randomUUID(), text: 'intruding' }) },
  { op: 'message.edit', d: (w) => ({ messageId: w.messageId, text: 'rewritten' }) },
  { op: 'message.delete', d: (w) => ({ messageId: w.messageId, for: 'everyone' }) },
  { op: 'reaction.add', d: (w) => ({ messageId: w.messageId, emoji: '🔥' }) },
  { op: 'reaction.remove', d: (w) => ({ messageId: w.messageId, emoji: w.emoji }) },
  { op: 'read', d: (w) => ({ chatId: w.chatId, seq: 1000 }) },
  { op: 'delivered', d: (w) => ({ chatId: w.chatId, seq: 1000 }) },
  { op: 'typing.start', d: (w) => ({ chatId: w.chatId }) },
];

const ATTACKERS: AttackerKind[] = ['removed member', 'outsider of the app', 'user of another app'];
const A: Record<AttackerKind, string> = {
  'removed member': 'a removed member',
  'outsider of the app': 'an outsider of the app',
  'user of another app': 'a user of another app',
};
const routesFor = (kind: AttackerKind) => ROUTES.filter((r) => !r.only || r.only.includes(kind));

let stack: Stack;
let world: World;
let before: Record<string, unknown>;

beforeAll(async () => {
  stack = await startFullStack();
  world = await buildWorld(stack);
  before = await snapshot(stack, world);
}, 120_000);

afterAll(async () => {
  for (const socket of Object.values(world?.sockets ?? {})) socket.close();
  await closeStackDatabases();
  await stack?.stop();
});

describe("object-level authorization on app A's group, its messages, media and invite link", () => {
  for (const kind of ATTACKERS) {
    describe(A[kind], () => {
      for (const r of routesFor(kind)) {
        it(`when ${A[kind]} calls ${r.route}, then ${r.outcome ?? '404 not_found'}`, async () => {
          const attacker = world.attackers[kind];
          const call = (w: World) => {
            const api = as(stack, attacker);
            const url = r.path(w, attacker);
            return r.method === 'get' ? api.get(url) : api[r.method](url, r.body?.(w, attacker));
          };
          const res = await call(world);
          if (r.expect) await r.expect(res, world, attacker, call);
          else expectProblem(res, 404, 'not_found');
        });
      }

      for (const o of SOCKET_OPS) {
        it(`when ${A[kind]} sends ${o.op} on the socket, then an error not_found, as on the REST route`, async () => {
          const answer = await world.sockets[kind].request(o.op, o.d(world));
          expect(answer, JSON.stringify(answer)).toMatchObject({ op: 'error', error: { code: 'not_found' } });
        });
      }

      it(`when ${A[kind]} syncs the chat on the socket, then its entry is forbidden, as for a chat that does not exist, and no event is replayed`, async () => {
        const socket = world.sockets[kind];
        const unknownChat = randomUUID();
        const ack = await socket.request('sync', { chats: { [world.chatId]: 0, [unknownChat]: 0 } });
        expect(ack, JSON.stringify(ack)).toMatchObject({
          op: 'ack',
          d: { chats: { [world.chatId]: { error: 'forbidden' }, [unknownChat]: { error: 'forbidden' } } },
        });
        expect(socket.frames.filter((f) => f.op === 'event' && f.chatId === world.chatId && f.seq !== undefined)).toEqual([]);
      });
    });
  }

  it("when a user of another app subscribes to the owner's presence on the socket, then the owner is offline with nothing more, as an unknown user", async () => {
    const { owner, sockets } = world;
    const foreign = sockets['user of another app'];
    const ack = await foreign.request('presence.subscribe', { userIds: [owner.id] });
    expect(ack, JSON.stringify(ack)).toMatchObject({ op: 'ack', d: { presences: [{ userId: owner.id, status: 'offline' }] } });
    expect(ack.d.presences[0]).toEqual({ userId: owner.id, status: 'offline' });
    // A user of the owner's app watching too sees the change; the other app's user never does.
    await sockets['outsider of the app'].request('presence.subscribe', { userIds: [owner.id] });
    expect((await sockets.owner.request('presence.set', { status: 'dnd' })).op).toBe('ack');
    await sockets['outsider of the app'].next(
      (f) => f.t === 'presence' && f.d?.userId === owner.id && f.d?.status === 'dnd',
      'the owner in dnd on a watcher of the same app',
    );
    expect((await sockets.owner.request('presence.set', { status: 'online' })).op).toBe('ack');
    expect(foreign.frames.filter((f) => f.t === 'presence' && f.d?.userId === owner.id)).toEqual([]);
  });

  describe('afterwards', () => {
    it('when every attacker has tried every route, then the chat, its members, log, messages, reactions, pins, receipts and media are as the owner left them', async () => {
      expect(await snapshot(stack, world)).toEqual(before);
    });

    it('when the owner posts afterwards, then the staying member gets it live and no attacker socket gets anything of the chat but the removal', async () => {
      expect(world.sockets['removed member'].frames.some((f) => f.t === 'chat.removed')).toBe(true);
      const res = await as(stack, world.owner).post(`/chats/${world.chatId}/messages`, { clientMessageId: randomUUID(), text: 'for members only' });
      expect(res.status).toBe(201);
      await world.sockets.member.next((f) => f.t === 'message.created' && f.d?.message?.id === res.body.id, "the message on the member's socket");
      for (const kind of ATTACKERS) {
        const leaked = world.sockets[kind].frames.filter(
          (f) => f.op === 'event' && (f.chatId === world.chatId || f.d?.chatId === world.chatId) && f.t !== 'chat.removed',
        );
        expect(leaked, kind).toEqual([]);
      }
    });

    it('when every attacker has tried every route, then the invite link still admits a new user and the ban still holds', async () => {
      const newcomer = await registerUser(stack.api);
      const joined = await as(stack, newcomer).post('/chats/join', { code: world.inviteCode });
      expect(joined.status, JSON.stringify(joined.body)).toBe(200);
      expectProblem(await as(stack, world.banned).post('/chats/join', { code: world.inviteCode }), 403, 'banned');
    });
  });
});
