import { type KeyObject, createHmac, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, type TestUser, registerUser } from '@chat/testkit';
import { decodeJwtPart, expectAccessAlive, expectAccessDead, expectProblem, listSessions, login, me, refresh } from './helpers.js';
import { startAuthStack } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startAuthStack({ RATE_LIMIT_REGISTER_PER_HOUR: '1000', RATE_LIMIT_LOGIN_PER_MINUTE: '1000' });
});
afterAll(() => stack?.stop());

const b64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** The auth service's own signing key, as generated into its key folder outside production. */
function realSigningKey(): string {
  return readFileSync(join(stack.env.AUTH_KEYS_DIR!, 'auth-signing-key.pem'), 'utf8');
}

/** Signs `claims` (plus the standard ones) as the auth service would, with `key`. */
function signAs(key: string | KeyObject, kid: string, claims: Record<string, unknown>, options: jwt.SignOptions = {}): string {
  const lifetime = 'exp' in claims ? {} : { expiresIn: 300 };
  return jwt.sign(claims, key, { algorithm: 'ES256', keyid: kid, issuer: 'chat-auth', audience: 'chat', ...lifetime, ...options });
}

function claimsOf(u: TestUser) {
  const { sub, app, sid } = decodeJwtPart(u.accessToken, 1);
  return { sub, app, sid };
}

function kidOf(token: string): string {
  return decodeJwtPart(token, 0).kid as string;
}

describe('access tokens', () => {
  it('when a token is issued, then it is an ES256 JWT with sub, app, sid, issuer and audience, whose kid the JWKS publishes without private parts', async () => {
    const u = await registerUser(stack.api);
    const header = decodeJwtPart(u.accessToken, 0);
    const payload = decodeJwtPart(u.accessToken, 1);
    expect(header).toMatchObject({ alg: 'ES256', kid: expect.any(String) });
    expect(payload).toMatchObject({ sub: u.id, app: u.appId, sid: expect.any(String), iss: 'chat-auth', aud: 'chat' });
    expect((payload.exp as number) - (payload.iat as number)).toBe(900);

    const jwks = await stack.api.get('/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    const key = jwks.body.keys.find((k: { kid: string }) => k.kid === header.kid);
    expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    for (const k of jwks.body.keys) expect(k).not.toHaveProperty('d');
    // The published key really verifies the token.
    expect(() => jwt.verify(u.accessToken, createPublicKey({ key, format: 'jwk' }), { algorithms: ['ES256'] })).not.toThrow();
  });

  it('when a token is signed by another P-256 key under the real kid, then 401', async () => {
    const u = await registerUser(stack.api);
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const forged = signAs(privateKey, kidOf(u.accessToken), claimsOf(u));
    expectProblem(await me(stack.api, forged), 401, 'unauthorized');
  });

  it('when a token names a kid nobody published, then 401', async () => {
    const u = await registerUser(stack.api);
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expectProblem(await me(stack.api, signAs(privateKey, 'made-up-kid', claimsOf(u))), 401, 'unauthorized');
  });

  it('when the payload is changed (another sub) and the signature kept, then 401, while the untouched token works', async () => {
    const attacker = await registerUser(stack.api);
    const victim = await registerUser(stack.api);
    const [header, payload, signature] = attacker.accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const tampered = `${header}.${b64url({ ...claims, sub: victim.id })}.${signature}`;

    expectProblem(await me(stack.api, tampered), 401, 'unauthorized');
    expect((await me(stack.api, attacker.accessToken)).body.user.id).toBe(attacker.id);
  });

  it('when a token says alg none, then 401 with or without a signature part', async () => {
    const u = await registerUser(stack.api);
    const payload = decodeJwtPart(u.accessToken, 1);
    for (const alg of ['none', 'None', 'NONE']) {
      const unsigned = `${b64url({ alg, typ: 'JWT', kid: kidOf(u.accessToken) })}.${b64url(payload)}`;
      expectProblem(await me(stack.api, `${unsigned}.`), 401, 'unauthorized');
      expectProblem(await me(stack.api, `${unsigned}.${u.accessToken.split('.')[2]}`), 401, 'unauthorized');
    }
  });

  it('when a token brings its own key (embedded jwk, jku, x5u) signed with it, then 401', async () => {
    const u = await registerUser(stack.api);
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const payload = decodeJwtPart(u.accessToken, 1);
    for (const extra of [{ jwk }, { jku: 'https://attacker.example/jwks.json' }, { x5u: 'https://attacker.example/cert.pem' }]) {
      for (const kid of [kidOf(u.accessToken), 'attacker']) {
        const forged = jwt.sign(payload, privateKey, { algorithm: 'ES256', header: { alg: 'ES256', kid, ...extra } });
        expectProblem(await me(stack.api, forged), 401, 'unauthorized');
      }
    }
  });

  it('when the signature is all zeros, empty, or missing, then 401', async () => {
    const u = await registerUser(stack.api);
    const [header, payload, signature] = u.accessToken.split('.');
    const zeros = Buffer.alloc(Buffer.from(signature!, 'base64url').length).toString('base64url');
    for (const token of [`${header}.${payload}.${zeros}`, `${header}.${payload}.`, `${header}.${payload}`, `${header}.${payload}.AA`]) {
      expectProblem(await me(stack.api, token), 401, 'unauthorized');
    }
  });

  it('when a token is HS256-signed with the public key as the secret, then 401', async () => {
    const u = await registerUser(stack.api);
    const jwks = await stack.api.get('/.well-known/jwks.json');
    const jwk = jwks.body.keys[0];
    const publicPem = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
    const payload = decodeJwtPart(u.accessToken, 1);
    for (const secret of [publicPem, JSON.stringify(jwk)]) {
      const unsigned = `${b64url({ alg: 'HS256', typ: 'JWT', kid: jwk.kid })}.${b64url(payload)}`;
      const token = `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
      expectProblem(await me(stack.api, token), 401, 'unauthorized');
    }
  });

  it('when a token signed with the real key has expired, then 401 token_expired (and the same token unexpired works)', async () => {
    const u = await registerUser(stack.api);
    const kid = kidOf(u.accessToken);
    const now = Math.floor(Date.now() / 1000);
    const valid = signAs(realSigningKey(), kid, claimsOf(u));
    expect((await me(stack.api, valid)).status).toBe(200);

    const expired = signAs(realSigningKey(), kid, { ...claimsOf(u), iat: now - 1000, exp: now - 60 });
    expectProblem(await me(stack.api, expired), 401, 'token_expired');
  });

  it('when a token signed with the real key has another issuer or audience, then 401', async () => {
    const u = await registerUser(stack.api);
    const kid = kidOf(u.accessToken);
    expectProblem(await me(stack.api, signAs(realSigningKey(), kid, claimsOf(u), { issuer: 'someone-else' })), 401, 'unauthorized');
    expectProblem(await me(stack.api, signAs(realSigningKey(), kid, claimsOf(u), { audience: 'other-product' })), 401, 'unauthorized');
  });

  it('when the bearer token is missing or malformed, then 401', async () => {
    const u = await registerUser(stack.api);
    expectProblem(await stack.api.get('/api/v1/auth/me'), 401, 'unauthorized');
    for (const authorization of [`Basic ${u.accessToken}`, 'Bearer ', `Bearer ${u.accessToken} extra`, 'Bearer not-a-jwt']) {
      expectProblem(await stack.api.get('/api/v1/auth/me', { headers: { authorization } }), 401, 'unauthorized');
    }
  });
});

describe('POST /auth/refresh', () => {
  it('when a refresh token is used, then new tokens come back and the old refresh token stops working', async () => {
    const u = await registerUser(stack.api);
    const res = await refresh(stack.api, u.refreshToken);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['tokens']);
    const { tokens } = res.body;
    expect(tokens.refreshToken).not.toBe(u.refreshToken);
    expect(decodeJwtPart(tokens.accessToken, 1).sid).toBe(decodeJwtPart(u.accessToken, 1).sid);
    await expectAccessAlive(stack.api, tokens.accessToken);

    expectProblem(await refresh(stack.api, u.refreshToken), 401, 'unauthorized');
  });

  it('when an already-used refresh token comes back, then 401 and its whole session is revoked, other sessions untouched', async () => {
    const u = await registerUser(stack.api);
    const other = await login(stack.api, { identifier: u.username, password: u.password });
    const rotated = await refresh(stack.api, u.refreshToken);
    expect(rotated.status).toBe(200);
    const newest = rotated.body.tokens;

    expectProblem(await refresh(stack.api, u.refreshToken), 401, 'unauthorized');

    expectProblem(await refresh(stack.api, newest.refreshToken), 401, 'unauthorized');
    await expectAccessDead(stack.api, newest.accessToken);
    await expectAccessDead(stack.api, u.accessToken);
    await expectAccessAlive(stack.api, other.body.tokens.accessToken);
    expect((await refresh(stack.api, other.body.tokens.refreshToken)).status).toBe(200);
  });

  it('when two refreshes race with one token, then exactly one gets new tokens', async () => {
    const u = await registerUser(stack.api);
    const results = await Promise.all([refresh(stack.api, u.refreshToken), refresh(stack.api, u.refreshToken)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it('when the refresh token was never issued, then 401', async () => {
    expectProblem(await refresh(stack.api, b64url('x'.repeat(32))), 401, 'unauthorized');
  });

  it('when an access token is presented as a refresh token, then 401', async () => {
    const u = await registerUser(stack.api);
    expectProblem(await refresh(stack.api, u.accessToken.slice(0, 512)), 401, 'unauthorized');
  });
});

describe('POST /auth/logout', () => {
  it('when a session logs out, then its access and refresh tokens stop at once and it leaves the session list', async () => {
    const u = await registerUser(stack.api);
    const other = await login(stack.api, { identifier: u.username, password: u.password });
    const sid = decodeJwtPart(u.accessToken, 1).sid;

    const res = await stack.api.post('/api/v1/auth/logout', undefined, { token: u.accessToken });
    expect(res.status).toBe(204);
    expect(res.body).toBe('');

    await expectAccessDead(stack.api, u.accessToken);
    expectProblem(await refresh(stack.api, u.refreshToken), 401, 'unauthorized');
    const remaining = await listSessions(stack.api, other.body.tokens.accessToken);
    expect(remaining.map((s) => s.id)).not.toContain(sid);
    await expectAccessAlive(stack.api, other.body.tokens.accessToken);
  });

  it('when logout gets a body with an unknown field, then 400 naming it and the session stays', async () => {
    const u = await registerUser(stack.api);
    const res = await stack.api.post('/api/v1/auth/logout', { everywhere: true }, { token: u.accessToken });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['everywhere']);
    await expectAccessAlive(stack.api, u.accessToken);
  });

  it('when logout is called without a token, then 401', async () => {
    expectProblem(await stack.api.post('/api/v1/auth/logout'), 401, 'unauthorized');
  });
});
