import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boot as bootAuth } from '@chat/auth';
import { boot as bootChat } from '@chat/chat';
import { boot as bootGateway } from '@chat/gateway';
import { boot as bootMedia } from '@chat/media';
import { boot as bootMessage } from '@chat/message';
import { boot as bootPresence } from '@chat/presence';
import { boot as bootRealtime } from '@chat/realtime';
import { boot as bootSearch } from '@chat/search';
import { boot as bootUser } from '@chat/user';
import { type ApiResponse, type Caller, type Stack, type TestUser, as, newAppUser, newGroup, newUsers, startStack, waitFor } from '@chat/testkit';
import sharp from 'sharp';
import WebSocket from 'ws';
import { expect } from 'vitest';

export const ADMIN_KEY = 'platform-admin-key-for-object-authorization-tests';

/** Every service behind one gateway, with limits out of the way of a sweep of many requests. */
export async function startFullStack(): Promise<Stack> {
  const s3Dir = mkdtempSync(join(tmpdir(), 'chat-objauth-s3-'));
  const stack = await startStack({
    gateway: bootGateway,
    services: {
      auth: bootAuth,
      user: bootUser,
      chat: bootChat,
      message: bootMessage,
      media: bootMedia,
      presence: bootPresence,
      search: bootSearch,
      realtime: bootRealtime,
    },
    env: {
      PLATFORM_ADMIN_KEY: ADMIN_KEY,
      S3_EMBEDDED_DIR: s3Dir,
      S3_EMBEDDED_PORT: '0',
      RATE_LIMIT_REGISTER_PER_HOUR: '10000',
      RATE_LIMIT_USER_PER_MINUTE: '100000',
      RATE_LIMIT_UPLOAD_PER_MINUTE: '1000',
      RATE_LIMIT_USER_SEARCH_PER_MINUTE: '100000',
    },
  }).catch((err: unknown) => {
    rmSync(s3Dir, { recursive: true, force: true });
    throw err;
  });
  return { ...stack, stop: () => stack.stop().finally(() => rmSync(s3Dir, { recursive: true, force: true })) };
}

export type AttackerKind = 'removed member' | 'outsider of the app' | 'user of another app';

/** Someone who must not reach the chat's objects, with a group of their own to act from. */
export interface Attacker extends Caller {
  kind: AttackerKind;
  ownChatId: string;
}

/** App A's chat and everything in it, as the owner set it up. */
export interface World {
  owner: TestUser;
  /** A member who stays: the target of role changes, removals and bans. */
  member: TestUser;
  /** A user of app A banned from the chat (never a member since). */
  banned: TestUser;
  attackers: Record<AttackerKind, Attacker>;
  chatId: string;
  chatName: string;
  /** A word only the owner's message holds, to search for. */
  secret: string;
  /** The owner's message: carries the media, a reaction, a pin, a thread reply and read receipts. */
  messageId: string;
  pollId: string;
  /** A message the removed member sent while still a member. */
  formerMessageId: string;
  mediaId: string;
  inviteCode: string;
  emoji: string;
  /** Live sockets: the owner's (online), the staying member's, and each attacker's. */
  sockets: { owner: Socket; member: Socket } & Record<AttackerKind, Socket>;
}

async function sent(stack: Stack, who: Caller, chatId: string, body: Record<string, unknown>): Promise<string> {
  const res = await as(stack, who).post(`/chats/${chatId}/messages`, { clientMessageId: randomUUID(), ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

function ok(res: ApiResponse, status = 200): ApiResponse {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return res;
}

async function uploadPng(stack: Stack, who: Caller): Promise<string> {
  const bytes = await sharp({ create: { width: 32, height: 24, channels: 3, background: { r: 200, g: 30, b: 90 } } })
    .png()
    .toBuffer();
  const form = new FormData();
  form.append('file', new Blob([bytes], { type: 'image/png' }), 'plan.png');
  const res = await fetch(`${stack.gateway.url}/api/v1/media`, { method: 'POST', body: form, headers: { authorization: `Bearer ${who.accessToken}` } });
  const body = (await res.json()) as { id: string };
  expect(res.status, JSON.stringify(body)).toBe(201);
  return body.id;
}

/** A protocol client: records every frame it receives. */
export class Socket {
  readonly frames: Record<string, any>[] = [];
  private refs = 0;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.frames.push(JSON.parse(data.toString())));
    ws.on('error', () => {});
  }

  /** Opens `who`'s socket through the gateway and waits for `ready`. */
  static async open(stack: Stack, who: Caller): Promise<Socket> {
    const socket = new Socket(new WebSocket(`${stack.gateway.url.replace(/^http/, 'ws')}/ws`, { headers: { authorization: `Bearer ${who.accessToken}` } }));
    await socket.next((f) => f.op === 'ready', 'ready');
    return socket;
  }

  next(match: (f: Record<string, any>) => boolean, what: string): Promise<Record<string, any>> {
    return waitFor(() => this.frames.find(match), 5000, what);
  }

  /** Sends an op and waits for its `ack` or `error`. */
  request(op: string, d: unknown): Promise<Record<string, any>> {
    const ref = `r-${++this.refs}`;
    this.ws.send(JSON.stringify({ op, ref, d }));
    return this.next((f) => (f.op === 'ack' || f.op === 'error') && f.ref === ref, `the answer to ${op}`);
  }

  close(): void {
    this.ws.terminate();
  }
}

export async function buildWorld(stack: Stack): Promise<World> {
  const [owner, member, banned, removed, outsider] = await newUsers(stack, 5);
  const foreign = await newAppUser(stack, ADMIN_KEY);
  const chatName = `Roadmap ${randomUUID().slice(0, 8)}`;
  const chat = await newGroup(stack, owner, [member, removed], { name: chatName, description: 'plans' });
  const chatId: string = chat.id;
  const secret = `s${randomUUID().replace(/-/g, '').slice(0, 12)}`;

  const formerMessageId = await sent(stack, removed, chatId, { text: 'hello from a member who will leave' });
  const mediaId = await uploadPng(stack, owner);
  const messageId = await sent(stack, owner, chatId, { text: `the ${secret} plan`, attachments: [{ mediaId }] });
  const pollId = await sent(stack, owner, chatId, { poll: { question: 'When?', options: ['Monday', 'Friday'] } });
  const emoji = '👍';
  ok(await as(stack, owner).post(`/messages/${messageId}/reactions`, { emoji }));
  ok(await as(stack, member).post(`/messages/${messageId}/reactions`, { emoji }));
  ok(await as(stack, owner).post(`/messages/${messageId}/pin`), 204);
  ok(await as(stack, member).post(`/messages/${pollId}/votes`, { optionIds: [1] }));
  await sent(stack, member, chatId, { text: 'a reply in the thread', replyToId: messageId });
  ok(await as(stack, member).post(`/chats/${chatId}/read`, { seq: 1000 }), 204);
  ok(await as(stack, owner).post(`/chats/${chatId}/bans`, { userId: banned.id, reason: 'spam' }), 201);
  const inviteCode: string = ok(await as(stack, owner).post(`/chats/${chatId}/invite-links`, {}), 201).body.code;

  // While a member, the soon removed one reads all of it: whatever it caches must not outlive the removal.
  ok(await as(stack, removed).get(`/messages/${messageId}`));
  ok(await as(stack, removed).get(`/media/${mediaId}`));
  ok(await as(stack, removed).get(`/chats/${chatId}/messages`));
  const removedSocket = await Socket.open(stack, removed);
  ok(await as(stack, owner).delete(`/chats/${chatId}/members/${removed.id}`), 204);

  const ownChat = async (who: Caller) => (await newGroup(stack, who, [], { name: 'Mine' })).id as string;
  const attackers: Record<AttackerKind, Attacker> = {
    'removed member': { ...removed, kind: 'removed member', ownChatId: await ownChat(removed) },
    'outsider of the app': { ...outsider, kind: 'outsider of the app', ownChatId: await ownChat(outsider) },
    'user of another app': { ...foreign, kind: 'user of another app', ownChatId: await ownChat(foreign) },
  };
  const sockets = {
    owner: await Socket.open(stack, owner),
    member: await Socket.open(stack, member),
    'removed member': removedSocket,
    'outsider of the app': await Socket.open(stack, outsider),
    'user of another app': await Socket.open(stack, foreign),
  };
  await settle(stack, { owner, outsider, removed, removedSocket, chatId, secret });
  return { owner, member, banned, attackers, chatId, chatName, secret, messageId, pollId, formerMessageId, mediaId, inviteCode, emoji, sockets };
}

/**
 * Waits for what the setup started to reach every service that learns it from events: the removed
 * member's socket told, the message service's authorization answers dropped, the search projection
 * holding the message and the removal, the owner online. Each wait is bounded and never fails the
 * setup: a removal that does not take effect is for the tests of each route to name.
 */
async function settle(
  stack: Stack,
  w: { owner: Caller; outsider: Caller; removed: Caller; removedSocket: Socket; chatId: string; secret: string },
): Promise<void> {
  const until = (probe: () => Promise<boolean>, what: string) => waitFor(async () => ((await probe()) ? true : undefined), 8000, what).catch(() => undefined);
  const hits = (who: Caller, q: string) =>
    as(stack, who)
      .get(`/search/messages?${q}`)
      .then((r) => (r.body?.data ?? []) as unknown[]);
  await Promise.all([
    until(async () => w.removedSocket.frames.some((f) => f.t === 'chat.removed' && (f.chatId ?? f.d?.chatId) === w.chatId), 'chat.removed on the socket'),
    until(async () => (await as(stack, w.removed).get(`/chats/${w.chatId}/messages`)).status === 404, 'the removal to reach the message service'),
    until(async () => (await hits(w.owner, `q=${w.secret}`)).length === 1, 'the message to be searchable'),
    until(async () => (await hits(w.removed, `chatId=${w.chatId}`)).length === 0, 'the removal to reach search'),
    until(async () => (await as(stack, w.outsider).get(`/presence/users?ids=${w.owner.id}`)).body?.data?.[0]?.status === 'online', 'the owner to be online'),
  ]);
}

/** What the owner sees of the chat and its objects; an attacker's write that took effect changes it. */
export async function snapshot(stack: Stack, w: World): Promise<Record<string, unknown>> {
  const owner = as(stack, w.owner);
  const body = async (path: string) => ok(await owner.get(path)).body;
  const media = await body(`/media/${w.mediaId}`);
  const { url, thumbnailUrl, urlExpiresAt, ...mediaStable } = media;
  return {
    chat: await body(`/chats/${w.chatId}`),
    members: await body(`/chats/${w.chatId}/members`),
    log: await body(`/chats/${w.chatId}/events?after=0&limit=1000`),
    message: await body(`/messages/${w.messageId}`),
    poll: await body(`/messages/${w.pollId}`),
    former: await body(`/messages/${w.formerMessageId}`),
    reactions: await body(`/messages/${w.messageId}/reactions`),
    receipts: await body(`/messages/${w.messageId}/receipts`),
    pins: await body(`/chats/${w.chatId}/pins`),
    media: { ...mediaStable, hasUrl: typeof url === 'string' },
    ownerMedia: (await body('/media')).data.map((m: { id: string }) => m.id),
  };
}
