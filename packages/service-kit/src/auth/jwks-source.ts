import { type KeyObject, createPublicKey } from 'node:crypto';
import { type Jwks, authRpcs } from '@chat/contracts';
import type { Bus } from '../bus/bus.js';
import { callRpc } from '../bus/rpc.js';
import type { RevocationList } from './revocation.js';
import { type KeySource, TokenVerifier } from './verifier.js';

/**
 * Public keys fetched from the auth service's JWKS and cached by `kid`. An unknown `kid` triggers
 * at most one refetch per `minRefreshMs`, so forged kids cannot turn into a flood of lookups.
 */
export class JwksKeySource implements KeySource {
  private readonly keys = new Map<string, KeyObject>();
  private lastFetch = 0;
  private inflight: Promise<void> | undefined;

  constructor(
    private readonly fetchJwks: () => Promise<Jwks>,
    private readonly minRefreshMs = 5000,
  ) {}

  async getKey(kid: string): Promise<KeyObject | undefined> {
    const known = this.keys.get(kid);
    if (known) return known;
    if (this.inflight) await this.inflight;
    else if (Date.now() - this.lastFetch >= this.minRefreshMs) await this.refresh();
    return this.keys.get(kid);
  }

  private refresh(): Promise<void> {
    this.inflight = (async () => {
      try {
        const jwks = await this.fetchJwks();
        this.lastFetch = Date.now();
        for (const jwk of jwks.keys) this.keys.set(jwk.kid, createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' }));
      } finally {
        this.inflight = undefined;
      }
    })();
    return this.inflight;
  }
}

/** The verifier of every service but auth: public keys from auth's JWKS over NATS, revocations from Redis. */
export function createRemoteVerifier(bus: Bus, revocations: RevocationList): TokenVerifier {
  return new TokenVerifier(new JwksKeySource(() => callRpc(bus, authRpcs.jwks, {})), revocations);
}
