import { type Stack, type TestUser, as } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt, expiredTokenOf, newUser, secondSession, tokenExpiringIn } from './helpers.js';
import { startRealtimeStack, wsUrl } from './stack.js';
import { WsClient, settle } from './ws-client.js';

/** Lifetime of the short-lived tokens: long enough to connect and send a few ops on a busy machine. */
const SHORT_TOKEN_S = 4;

let stack: Stack;
let gatewayWs: string;
let directWs: string;
beforeAll(async () => {
  stack = await startRealtimeStack();
  gatewayWs = wsUrl(stack.gateway.url);
  directWs = wsUrl(stack.services.realtime!.url);
});
afterAll(async () => {
  WsClient.terminateAll();
  await stack?.stop();
});

/** How the socket was closed, failing if it is still open long after its token's expiry. */
function closedWithin(client: WsClient, timeoutMs = 12_000): Promise<{ code: number; reason: string }> {
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('socket did not close')), timeoutMs));
  return Promise.race([client.closed, timeout]);
}

/** A fresh access token of the user's session, from the refresh endpoint. */
async function refreshedToken(user: TestUser): Promise<string> {
  const res = await stack.api.post('/api/v1/auth/refresh', { refreshToken: user.refreshToken });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.tokens.accessToken;
}

const pong = { op: 'pong', ref: expect.any(String) };
const errorOf = (code: string) => ({ op: 'error', ref: expect.any(String), error: { code, message: expect.any(String) } });

describe('token expiry', () => {
  it('when the access token of an open socket expires, then the socket is closed with 4001 token expired, whether it authenticated by header or by first frame', async () => {
    const user = await newUser(stack);
    const token = tokenExpiringIn(stack, user, SHORT_TOKEN_S);
    const byHeader = await WsClient.ready(gatewayWs, token);
    const byFrame = await WsClient.open(directWs);
    byFrame.send({ op: 'auth', d: { token } });
    await byFrame.next((f) => f.op === 'ready');
    expect(await closedWithin(byHeader)).toEqual({ code: 4001, reason: 'token expired' });
    expect(await closedWithin(byFrame)).toEqual({ code: 4001, reason: 'token expired' });
  });
});

describe('token renewal', () => {
  it('when a socket renews with a fresh token of its session, then it is acked with the new expiry and stays open past the first token’s expiry', async () => {
    const user = await newUser(stack);
    const shortLived = tokenExpiringIn(stack, user, SHORT_TOKEN_S);
    const [renewing, unrenewed] = await Promise.all([WsClient.ready(gatewayWs, shortLived), WsClient.ready(directWs, shortLived)]);
    const fresh = await refreshedToken(user);
    expect(await renewing.ack('auth', { token: fresh })).toEqual({ expiresAt: new Date(decodeJwt(fresh, 1).exp * 1000).toISOString() });
    // The socket that did not renew is closed when the first token expires; the renewed one is not, then or a sweep later.
    expect(await closedWithin(unrenewed)).toEqual({ code: 4001, reason: 'token expired' });
    await settle(1500);
    expect(await renewing.request('ping')).toEqual(pong);
    expect(renewing.ws.readyState).toBe(renewing.ws.OPEN);
    renewing.close();
  });

  it('when a socket renews with a token of another user or of another session of its user, then forbidden, and the socket still closes when its own token expires', async () => {
    const user = await newUser(stack);
    const [other, laptop] = await Promise.all([newUser(stack), secondSession(stack, user)]);
    const client = await WsClient.ready(gatewayWs, tokenExpiringIn(stack, user, SHORT_TOKEN_S));
    for (const token of [other.accessToken, laptop.accessToken]) expect(await client.request('auth', { token })).toEqual(errorOf('forbidden'));
    expect(await client.request('ping')).toEqual(pong);
    expect(await closedWithin(client)).toEqual({ code: 4001, reason: 'token expired' });
  });

  it('when a socket renews with a garbage, forged, expired or revoked token, then unauthorized, and the socket stays open on its own token', async () => {
    const user = await newUser(stack);
    const laptop = await secondSession(stack, user);
    expect((await as(stack, laptop).post('/auth/logout')).status).toBe(204);
    const client = await WsClient.ready(gatewayWs, user.accessToken);
    const [header, payload] = user.accessToken.split('.');
    const forged = `${header}.${payload}.${Buffer.from('x'.repeat(64)).toString('base64url')}`;
    for (const token of ['garbage', forged, expiredTokenOf(stack, user), laptop.accessToken]) {
      expect(await client.request('auth', { token }), token).toEqual(errorOf('unauthorized'));
    }
    expect(await client.request('ping')).toEqual(pong);
    expect(client.ws.readyState).toBe(client.ws.OPEN);
    client.close();
  });
});
