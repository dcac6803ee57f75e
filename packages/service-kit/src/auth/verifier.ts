import type { KeyObject } from 'node:crypto';
import { AccessClaims } from '@chat/contracts';
import type { Request } from 'express';
import jwt from 'jsonwebtoken';
import { ServiceUnavailableError, UnauthorizedError } from '../errors.js';
import type { RevocationList } from './revocation.js';

export const ACCESS_TOKEN_ALGORITHM = 'ES256';
export const ACCESS_TOKEN_ISSUER = 'chat-auth';
export const ACCESS_TOKEN_AUDIENCE = 'chat';

/** Where verification keys come from: the auth service's own key, or its JWKS over NATS. */
export interface KeySource {
  getKey(kid: string): Promise<KeyObject | undefined>;
}

export class TokenVerifier {
  constructor(
    private readonly keys: KeySource,
    private readonly revocations: RevocationList,
  ) {}

  /** Verifies signature (ES256 only), issuer, audience, expiry and claims, then that the session is not revoked. */
  async verify(token: string): Promise<AccessClaims> {
    const decoded = jwt.decode(token, { complete: true });
    const kid = decoded?.header.kid;
    if (!decoded || decoded.header.alg !== ACCESS_TOKEN_ALGORITHM || !kid) throw new UnauthorizedError('invalid token');
    const key = await this.keys.getKey(kid);
    if (!key) throw new UnauthorizedError('invalid token');
    let payload: unknown;
    try {
      payload = jwt.verify(token, key, { algorithms: [ACCESS_TOKEN_ALGORITHM], issuer: ACCESS_TOKEN_ISSUER, audience: ACCESS_TOKEN_AUDIENCE });
    } catch (err) {
      if (err instanceof jwt.TokenExpiredError) throw new UnauthorizedError('access token expired', 'token_expired');
      throw new UnauthorizedError('invalid token');
    }
    const claims = AccessClaims.safeParse(payload);
    if (!claims.success) throw new UnauthorizedError('invalid token');
    let revoked: boolean;
    try {
      revoked = await this.revocations.isRevoked(claims.data.sid);
    } catch {
      // Fail closed: without the revocation list a revoked session could slip through.
      throw new ServiceUnavailableError('cannot check the session right now');
    }
    if (revoked) throw new UnauthorizedError('session revoked');
    return claims.data;
  }

  /** Reads `Authorization: Bearer <token>` and verifies it. */
  async authenticate(req: Pick<Request, 'headers'>): Promise<AccessClaims> {
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9_.-]+)$/.exec(header) : null;
    if (!match?.[1]) throw new UnauthorizedError('missing bearer token');
    return this.verify(match[1]);
  }
}
