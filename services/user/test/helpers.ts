import {
  type Caller,
  type Stack,
  type TestUser,
  as,
  closeStackDatabases,
  expectInvalid,
  expectProblem,
  recordEvents,
  registerUser,
  smsTo,
  stackDatabase,
  uniqueUsername,
  waitFor,
  waitForMail,
} from '@chat/testkit';
import { expect } from 'vitest';
import { ADMIN_KEY } from './stack.js';

export const DEFAULT_APP_ID = '00000000-0000-7000-8000-000000000001';
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A registered first-party user with a unique phone number, returned once the user service holds
 * its profile (profiles are projected from auth's `user.created` event, so they trail registration).
 */
export async function newUser(stack: Stack, overrides: Record<string, unknown> = {}): Promise<TestUser & { phone: string }> {
  const phone = `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
  const user = await registerUser(stack.api, { phone, ...overrides });
  await waitFor(async () => ((await profileRow(stack, user.id)) ? true : undefined), 5000, 'profile projected');
  return { ...user, phone: String(overrides.phone ?? phone) };
}

/** A 1x1 PNG. */
export const TINY_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

/** Uploads a file through the media service as `owner` and returns the media. */
export async function uploadMedia(
  stack: Stack,
  owner: Caller,
  bytes: Buffer,
  opts: { contentType?: string; purpose?: string } = {},
): Promise<Record<string, any>> {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type: opts.contentType ?? 'image/png' }), 'file');
  const res = await fetch(`${stack.gateway.url}/api/v1/media?purpose=${opts.purpose ?? 'avatar'}`, {
    method: 'POST',
    body: form,
    headers: { authorization: `Bearer ${owner.accessToken}` },
  });
  const body = (await res.json()) as Record<string, any>;
  expect(res.status, JSON.stringify(body)).toBe(201);
  return body;
}

/** An avatar `owner` uploaded, ready to be set on their profile. */
export async function anAvatarId(stack: Stack, owner: Caller): Promise<string> {
  return (await uploadMedia(stack, owner, TINY_PNG)).id;
}

/** A new app (tenant) and a user of it, minted by the app's backend. */
export async function newAppUser(stack: Stack): Promise<Caller & { appId: string }> {
  const app = await stack.api.post('/api/v1/admin/apps', { name: 'Other app' }, { headers: { 'x-admin-key': ADMIN_KEY } });
  expect(app.status).toBe(201);
  const headers = { 'x-api-key': app.body.apiKey, 'x-api-secret': app.body.apiSecret };
  const res = await stack.api.post('/api/v1/server/token', { externalId: uniqueUsername('ext') }, { headers });
  expect(res.status).toBe(200);
  return { id: res.body.user.id, appId: app.body.app.id, accessToken: res.body.tokens.accessToken };
}

/** Confirms the user's email through the mailed token and waits until the user service knows. */
export async function verifyEmail(stack: Stack, user: TestUser): Promise<void> {
  const { token } = await waitForMail(stack.env.MAILBOX_DIR!, user.email, /Confirm/);
  expect((await stack.api.post('/api/v1/auth/verify-email', { token })).status).toBe(204);
  await waitFor(async () => ((await profileRow(stack, user.id))?.email_verified ? true : undefined), 5000, 'email verified in the user service');
}

/** Asks auth to text a code to the user's phone and returns it (the text is written before the 202). */
export async function textedCode(stack: Stack, user: Caller & { phone: string }): Promise<string> {
  const res = await as(stack, user).post('/auth/verify-phone/start');
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const code = (await smsTo(stack.env.SMS_OUTBOX_DIR!, user.phone)).at(-1)?.code;
  expect(code).toMatch(/^\d{6}$/);
  return code!;
}

/** Confirms the user's phone with the texted code and waits until the user service knows. */
export async function verifyPhone(stack: Stack, user: Caller & { phone: string }): Promise<void> {
  const res = await as(stack, user).post('/auth/verify-phone', { code: await textedCode(stack, user) });
  expect(res.status, JSON.stringify(res.body)).toBe(204);
  await waitFor(async () => ((await profileRow(stack, user.id))?.phone_verified ? true : undefined), 5000, 'phone verified in the user service');
}

/** A new user whose phone is verified, so contact sync can find them by it. */
export async function newUserWithVerifiedPhone(stack: Stack, overrides: Record<string, unknown> = {}): Promise<TestUser & { phone: string }> {
  const user = await newUser(stack, overrides);
  await verifyPhone(stack, user);
  return user;
}

/** The test's own database, to check stored state. */
export const database = stackDatabase;
export const closeDatabases = closeStackDatabases;

export function profileRow(stack: Stack, userId: string): Promise<Record<string, any> | null> {
  return database(stack).oneOrNone('SELECT * FROM "user".profiles WHERE id = $1', [userId]);
}

/** A NATS connection for calling rpc and watching events of this test's deployment. */
export const natsFor = recordEvents;

export { expectProblem, expectInvalid, as };
export type { Caller };
