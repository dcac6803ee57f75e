import { type KeyObject, createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Jwks } from '@chat/contracts';
import type { KeySource, Logger } from '@chat/service-kit';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** RFC 7638 thumbprint: a stable key id derived from the public key itself. */
function thumbprint(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}

export function signingKeyFromPem(pem: string): SigningKey {
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error('AUTH_PRIVATE_KEY must be an EC P-256 private key (ES256)');
  }
  const publicKey = createPublicKey(privateKey);
  return { kid: thumbprint(publicKey), privateKey, publicKey };
}

export function generateSigningKeyPem(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/** The configured key, or (outside production) one generated on first start and kept in `dir`. */
export function loadSigningKey(configured: string | undefined, dir: string, logger: Logger): SigningKey {
  if (configured) return signingKeyFromPem(configured);
  const path = join(dir, 'auth-signing-key.pem');
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    try {
      writeFileSync(path, generateSigningKeyPem(), { mode: 0o600, flag: 'wx' });
      logger.warn('generated a development signing key', { path });
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST') throw err;
    }
  }
  return signingKeyFromPem(readFileSync(path, 'utf8'));
}

export function jwksOf(key: SigningKey): Jwks {
  return { keys: [{ ...key.publicKey.export({ format: 'jwk' }), kid: key.kid, alg: 'ES256', use: 'sig', kty: 'EC' }] };
}

/** The auth service verifies its own tokens without a round trip. */
export function localKeySource(key: SigningKey): KeySource {
  return { getKey: async (kid) => (kid === key.kid ? key.publicKey : undefined) };
}
