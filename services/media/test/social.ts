import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { type ApiResponse, type EventRecorder, type Stack, type TestUser, uniqueUsername } from '@chat/testkit';
import { expect } from 'vitest';
import { ADMIN_KEY } from './stack.js';

/** Limits out of the way for files that register many users. */
export const ROOMY_LIMITS = { RATE_LIMIT_UPLOAD_PER_MINUTE: '1000', RATE_LIMIT_REGISTER_PER_HOUR: '10000', RATE_LIMIT_USER_PER_MINUTE: '100000' };

/** A user of a new app (tenant), minted by the app's backend (no password: cannot log in or be deleted by itself). */
export async function newAppUser(stack: Stack): Promise<TestUser> {
  const app = await stack.api.post('/api/v1/admin/apps', { name: 'Other app' }, { headers: { 'x-admin-key': ADMIN_KEY } });
  expect(app.status).toBe(201);
  const headers = { 'x-api-key': app.body.apiKey, 'x-api-secret': app.body.apiSecret };
  const res = await stack.api.post('/api/v1/server/token', { externalId: uniqueUsername('ext') }, { headers });
  expect(res.status).toBe(200);
  return { id: res.body.user.id, appId: app.body.app.id, username: '', password: '', email: '', accessToken: res.body.tokens.accessToken, refreshToken: '' };
}

/** A group of `owner` with `members`, created through the chat service; returns its id. */
export async function newGroup(stack: Stack, owner: TestUser, members: TestUser[]): Promise<string> {
  const res = await stack.api.post('/api/v1/chats', { type: 'group', name: 'Photos', memberIds: members.map((m) => m.id) }, { token: owner.accessToken });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

export async function removeMember(stack: Stack, owner: TestUser, chatId: string, userId: string): Promise<void> {
  const res = await stack.api.delete(`/api/v1/chats/${chatId}/members/${userId}`, { token: owner.accessToken });
  expect(res.status, JSON.stringify(res.body)).toBe(204);
}

/** rpc.media.claim as the message service calls it when `sender` posts a message in `chatId`; returns the message id. */
export async function postInChat(
  events: EventRecorder,
  sender: TestUser,
  chatId: string,
  mediaIds: string[],
  messageId: string = randomUUID(),
): Promise<string> {
  const reply = await events.rpc('rpc.media.claim', { appId: sender.appId, userId: sender.id, chatId, messageId, mediaIds });
  expect(reply.ok, JSON.stringify(reply)).toBe(true);
  return messageId;
}

/** rpc.media.claim-avatar as the user service calls it; the raw reply. */
export function claimAvatar(events: EventRecorder, user: TestUser, mediaId: string | null): Promise<any> {
  return events.rpc('rpc.media.claim-avatar', { appId: user.appId, userId: user.id, mediaId });
}

/**
 * Publishes an event envelope into the stack's event stream, as another service's outbox relay
 * would (with the event id as the de-duplication id).
 */
export async function publishEvent(
  stack: Stack,
  events: EventRecorder,
  type: string,
  appId: string,
  data: Record<string, unknown>,
  id: string = randomUUID(),
): Promise<string> {
  const envelope = { id, type, occurredAt: new Date().toISOString(), appId, data };
  await jetstream(events.nc).publish(`${stack.env.NATS_PREFIX ?? ''}evt.${type}`, JSON.stringify(envelope), { msgID: id });
  return id;
}

export function setPrivacy(stack: Stack, user: TestUser, privacy: Record<string, unknown>): Promise<ApiResponse> {
  return stack.api.patch('/api/v1/users/me/settings', { privacy }, { token: user.accessToken });
}

export function deleteAccount(stack: Stack, user: TestUser): Promise<ApiResponse> {
  return stack.api.request('DELETE', '/api/v1/users/me', { token: user.accessToken, body: { password: user.password } });
}
