import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Stack, type TestUser, as, connectNats, registerUser } from '@chat/testkit';
import type { NatsConnection } from '@nats-io/transport-node';
import jwt from 'jsonwebtoken';
import { expect } from 'vitest';

export function newUser(stack: Stack): Promise<TestUser> {
  return registerUser(stack.api);
}

export function newUsers(stack: Stack, n: number): Promise<TestUser[]> {
  return Promise.all(Array.from({ length: n }, () => registerUser(stack.api)));
}

/** Logs the user in again: a second session (a second device). */
export async function secondSession(stack: Stack, user: TestUser): Promise<TestUser> {
  const res = await stack.api.post('/api/v1/auth/login', { identifier: user.username, password: user.password });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { ...user, accessToken: res.body.tokens.accessToken, refreshToken: res.body.tokens.refreshToken };
}

export function decodeJwt(token: string, part: 0 | 1): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[part]!, 'base64url').toString('utf8'));
}

/** The user's token re-signed by the auth service's own key, expiring `expiresInS` from now (as auth would with that lifetime). */
export function tokenExpiringIn(stack: Stack, user: TestUser, expiresInS: number): string {
  const key = readFileSync(join(stack.env.AUTH_KEYS_DIR!, 'auth-signing-key.pem'), 'utf8');
  const { sub, app, sid } = decodeJwt(user.accessToken, 1);
  const exp = Math.floor(Date.now() / 1000) + expiresInS;
  const iat = Math.min(exp - 1, Math.floor(Date.now() / 1000));
  return jwt.sign({ sub, app, sid, iat, exp }, key, { algorithm: 'ES256', keyid: decodeJwt(user.accessToken, 0).kid, issuer: 'chat-auth', audience: 'chat' });
}

/** The user's token re-signed by the auth service's own key with an expiry in the past. */
export function expiredTokenOf(stack: Stack, user: TestUser): string {
  return tokenExpiringIn(stack, user, -60);
}

export async function newGroup(stack: Stack, owner: TestUser, members: TestUser[]): Promise<string> {
  const res = await as(stack, owner).post('/chats', { type: 'group', name: 'Group', memberIds: members.map((m) => m.id) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

/** A raw NATS connection of the test's deployment, to publish what a service would. */
export async function natsOf(stack: Stack): Promise<{ nc: NatsConnection; publish(subject: string, frame: unknown): void; close(): Promise<void> }> {
  const nc = await connectNats(stack.env.NATS_URL);
  const prefix = stack.env.NATS_PREFIX ?? '';
  return {
    nc,
    publish: (subject, frame) => nc.publish(prefix + subject, typeof frame === 'string' ? frame : JSON.stringify(frame)),
    close: () => nc.drain(),
  };
}

/** The node's metrics, read from its ops listener (never served on the client port). */
export async function metricsOf(node: { opsUrl: string }): Promise<string> {
  return (await fetch(`${node.opsUrl}/metrics`)).text();
}

/** The value of a metric line (`name{labels} value`) in Prometheus text. */
export function metricValue(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(series + ' ') || l.startsWith(series.replace(/}$/, ',')));
  return line ? Number(line.split(' ').at(-1)) : undefined;
}
