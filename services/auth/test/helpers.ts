import { expect } from 'vitest';
import type { ApiClient, ApiResponse, Stack } from '@chat/testkit';
import { expectProblem, expectInvalid, smsTo } from '@chat/testkit';

/** The app first-party accounts belong to. */
export const DEFAULT_APP_ID = '00000000-0000-7000-8000-000000000001';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function login(api: ApiClient, body: Record<string, unknown>, headers?: Record<string, string>) {
  return api.post('/api/v1/auth/login', body, { headers });
}

export function refresh(api: ApiClient, refreshToken: string) {
  return api.post('/api/v1/auth/refresh', { refreshToken });
}

export function me(api: ApiClient, accessToken: string) {
  return api.get('/api/v1/auth/me', { token: accessToken });
}

export async function listSessions(api: ApiClient, accessToken: string) {
  const res = await api.get('/api/v1/auth/sessions', { token: accessToken });
  expect(res.status).toBe(200);
  return res.body.data as {
    id: string;
    deviceName: string | null;
    createdAt: string;
    lastUsedAt: string;
    ip: string | null;
    userAgent: string | null;
    current: boolean;
  }[];
}

/** The id of the session an access token belongs to (its `sid` claim). */
export function sessionIdOf(accessToken: string): string {
  return decodeJwtPart(accessToken, 1).sid as string;
}

/** Decodes the header (0) or payload (1) of a JWT without verifying it. */
export function decodeJwtPart(token: string, part: 0 | 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[part]!, 'base64url').toString('utf8'));
}

/** Asserts that an access token no longer opens anything. */
export async function expectAccessDead(api: ApiClient, accessToken: string): Promise<void> {
  expectProblem(await me(api, accessToken), 401, 'unauthorized');
}

export async function expectAccessAlive(api: ApiClient, accessToken: string): Promise<void> {
  expect((await me(api, accessToken)).status).toBe(200);
}

/** Asks for a phone code; the text is in the outbox once the 202 is back. Returns the code texted to `phone`. */
export async function startPhoneVerification(stack: Stack, accessToken: string, phone: string): Promise<string> {
  const res = await stack.api.post('/api/v1/auth/verify-phone/start', undefined, { token: accessToken });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const code = (await smsTo(stack.env.SMS_OUTBOX_DIR!, phone)).at(-1)?.code;
  expect(code).toMatch(/^\d{6}$/);
  return code!;
}

export function confirmPhone(stack: Stack, accessToken: string, code: string): Promise<ApiResponse> {
  return stack.api.post('/api/v1/auth/verify-phone', { code }, { token: accessToken });
}

/** Proves the account holds `phone` with the texted code. */
export async function verifyPhone(stack: Stack, accessToken: string, phone: string): Promise<void> {
  const res = await confirmPhone(stack, accessToken, await startPhoneVerification(stack, accessToken, phone));
  expect(res.status, JSON.stringify(res.body)).toBe(204);
}

export { expectProblem, expectInvalid };
