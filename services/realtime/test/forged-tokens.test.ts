import { type JsonWebKey, createHmac, createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { Stack } from '@chat/testkit';
import jwt, { type JwtHeader } from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt, newUser } from './helpers.js';
import { startRealtimeStack, wsUrl } from './stack.js';
import { WsClient } from './ws-client.js';

let stack: Stack;
let gatewayWs: string;
beforeAll(async () => {
  stack = await startRealtimeStack({ env: { WS_AUTH_TIMEOUT_MS: '400' } });
  gatewayWs = wsUrl(stack.gateway.url);
});
afterAll(async () => {
  WsClient.terminateAll();
  await stack?.stop();
});

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Every forgery the REST routes refuse, made from a real user's token. */
async function forgeries(accessToken: string): Promise<Record<string, string>> {
  const [header, payload, signature] = accessToken.split('.');
  const claims = decodeJwt(accessToken, 1);
  const kid = decodeJwt(accessToken, 0).kid as string;
  const other = await newUser(stack);
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwks = (await stack.api.get('/.well-known/jwks.json')).body.keys[0];
  const publicPem = createPublicKey({ key: jwks, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
  const hsUnsigned = `${b64url({ alg: 'HS256', typ: 'JWT', kid })}.${payload}`;
  // `jwk` is a registered header (RFC 7515) the signing library does not type.
  const embeddedJwk: JwtHeader & { jwk: JsonWebKey } = { alg: 'ES256', kid, jwk: publicKey.export({ format: 'jwk' }) };
  const zeros = Buffer.alloc(Buffer.from(signature!, 'base64url').length).toString('base64url');
  return {
    'alg none': `${b64url({ alg: 'none', typ: 'JWT', kid })}.${payload}.`,
    'alg None with the real signature': `${b64url({ alg: 'None', typ: 'JWT', kid })}.${payload}.${signature}`,
    'HS256 with the public key as secret': `${hsUnsigned}.${createHmac('sha256', publicPem).update(hsUnsigned).digest('base64url')}`,
    'a foreign key under the real kid': jwt.sign(claims, privateKey, { algorithm: 'ES256', keyid: kid }),
    'a foreign key under an unknown kid': jwt.sign(claims, privateKey, { algorithm: 'ES256', keyid: 'unknown' }),
    'an embedded jwk': jwt.sign(claims, privateKey, { algorithm: 'ES256', header: embeddedJwk }),
    'a tampered payload': `${header}.${b64url({ ...claims, sub: other.id })}.${signature}`,
    'no signature': `${header}.${payload}`,
    'a zero signature': `${header}.${payload}.${zeros}`,
  };
}

describe('forged tokens on the socket', () => {
  it('when a socket authenticates with a forged token, by header or by auth frame, then it is closed with 4001 and never gets ready', async () => {
    const user = await newUser(stack);
    for (const [name, token] of Object.entries(await forgeries(user.accessToken))) {
      const byHeader = await WsClient.open(gatewayWs, { token });
      expect(await byHeader.closeCode(), `${name} by header`).toBe(4001);
      expect(
        byHeader.frames.some((f) => f.op === 'ready'),
        name,
      ).toBe(false);
      const byFrame = await WsClient.open(gatewayWs);
      byFrame.send({ op: 'auth', d: { token } });
      expect(await byFrame.closeCode(), `${name} by frame`).toBe(4001);
      expect(
        byFrame.frames.some((f) => f.op === 'ready'),
        name,
      ).toBe(false);
    }
    // The real token still gets in.
    const real = await WsClient.ready(gatewayWs, user.accessToken);
    real.close();
  });
});
