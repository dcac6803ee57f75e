import { randomBytes, randomUUID } from 'node:crypto';
import {
  type Caller,
  type EventRecorder,
  type Stack,
  type TestUser,
  as,
  expectInvalid,
  expectProblem,
  recordEvents,
  registerUser,
  uniqueUsername,
  waitFor,
} from '@chat/testkit';
import { expect } from 'vitest';
import { ADMIN_KEY } from './stack.js';

/**
 * `n` fresh users, registered in parallel, each with a profile in the user service. The profile
 * comes from auth's `user.created` event, which the outbox relay may hold for up to 50 ms while
 * commits keep coming; privacy answers (and so what others see of a presence) need it. Reading
 * one's own profile makes it at once, as any client's first screen does.
 */
export async function newUsers(stack: Stack, n: number): Promise<TestUser[]> {
  const users = await Promise.all(Array.from({ length: n }, () => registerUser(stack.api)));
  for (const user of users) expect((await as(stack, user).get(`/users/${user.id}`)).status).toBe(200);
  return users;
}

/** A user of a new app (tenant), minted by the app's backend. */
export async function newAppUser(stack: Stack): Promise<Caller & { appId: string }> {
  const app = await stack.api.post('/api/v1/admin/apps', { name: 'Other app' }, { headers: { 'x-admin-key': ADMIN_KEY } });
  expect(app.status).toBe(201);
  const headers = { 'x-api-key': app.body.apiKey, 'x-api-secret': app.body.apiSecret };
  const res = await stack.api.post('/api/v1/server/token', { externalId: uniqueUsername('ext') }, { headers });
  expect(res.status).toBe(200);
  return { id: res.body.user.id, appId: app.body.app.id, accessToken: res.body.tokens.accessToken };
}

type Who = { id: string; appId: string };

/** The live frames and rpcs of one stack, as a realtime node sees them. */
export class Live {
  private constructor(readonly log: EventRecorder) {}

  static async record(stack: Stack): Promise<Live> {
    return new Live(await recordEvents(stack, 'rt.>'));
  }

  /** `d` of every presence frame published for the user (on `rt.presence.<appId>.<userId>`) so far, in order. */
  presence(userId: string): Record<string, any>[] {
    const ofUser = this.log.received.filter((r) => r.subject.includes('rt.presence.') && r.subject.endsWith(`.${userId}`));
    return ofUser.map((r) => (r.event as unknown as Record<string, any>).d);
  }

  /** `d` of every typing frame published in the chat so far, in order. */
  typing(chatId: string): Record<string, any>[] {
    return this.frames(`rt.chat.${chatId}`)
      .filter((f) => f.t === 'typing')
      .map((f) => f.d);
  }

  frames(subject: string): Record<string, any>[] {
    return this.log.received.filter((r) => r.subject.endsWith(`.${subject}`)).map((r) => r.event as unknown as Record<string, any>);
  }

  /** Waits for the n-th (1-based) presence frame of the user with the given fields. */
  waitPresence(userId: string, fields: Record<string, unknown>, nth = 1): Promise<Record<string, any>> {
    const match = () => this.presence(userId).filter((d) => Object.entries(fields).every(([k, v]) => d[k] === v))[nth - 1];
    return waitFor(match, 8000, `presence ${JSON.stringify(fields)} #${nth} of ${userId}`);
  }

  waitTyping(chatId: string, fields: Record<string, unknown>, nth = 1): Promise<Record<string, any>> {
    const match = () => this.typing(chatId).filter((d) => Object.entries(fields).every(([k, v]) => d[k] === v))[nth - 1];
    return waitFor(match, 8000, `typing ${JSON.stringify(fields)} #${nth} in ${chatId}`);
  }

  /** The raw reply of an rpc (`{ ok, data }` or `{ ok: false, error }`). */
  rpc(subject: string, body: unknown): Promise<any> {
    return this.log.rpc(subject, body);
  }

  /** The data of an rpc that must succeed. */
  async ok(subject: string, body: unknown): Promise<any> {
    const reply = await this.rpc(subject, body);
    expect(reply, JSON.stringify(reply)).toMatchObject({ ok: true });
    return reply.data;
  }

  async connect(who: Who, connectionId = newConnectionId(), nodeId = 'node-a'): Promise<string> {
    await this.ok('rpc.presence.connect', { appId: who.appId, userId: who.id, sessionId: randomUUID(), connectionId, nodeId });
    return connectionId;
  }

  async disconnect(who: Who, connectionId: string): Promise<void> {
    await this.ok('rpc.presence.disconnect', { appId: who.appId, userId: who.id, connectionId });
  }

  async heartbeat(devices: { who: Who; connectionId: string; active?: boolean }[], nodeId = 'node-a'): Promise<void> {
    const connections = devices.map((d) => ({ appId: d.who.appId, userId: d.who.id, connectionId: d.connectionId, active: d.active ?? false }));
    await this.ok('rpc.presence.heartbeat', { nodeId, connections });
  }

  close(): Promise<void> {
    return this.log.close();
  }
}

export function newConnectionId(): string {
  return `c-${randomBytes(6).toString('hex')}`;
}

/** The users' presence through the gateway, as `viewer` sees it (by user id). */
export async function presenceOf(stack: Stack, viewer: Caller, ids: string[]): Promise<Record<string, any>> {
  const res = await as(stack, viewer).get(`/presence/users?ids=${ids.join(',')}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return Object.fromEntries(res.body.data.map((p: { userId: string }) => [p.userId, p]));
}

export async function setPrivacy(stack: Stack, user: Caller, privacy: Record<string, unknown>): Promise<void> {
  const res = await as(stack, user).patch('/users/me/settings', { privacy });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

export async function newGroup(stack: Stack, owner: Caller, members: Caller[], extra: Record<string, unknown> = {}): Promise<string> {
  const res = await as(stack, owner).post('/chats', { type: 'group', name: 'Group', memberIds: members.map((m) => m.id), ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

export { as, expectInvalid, expectProblem, randomUUID };
