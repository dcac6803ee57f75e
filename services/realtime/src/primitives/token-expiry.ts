/**
 * The `exp` of an access token the verifier has accepted, in epoch ms (0 when it carries none).
 * Read from the payload directly: the verified claims keep only the identity fields.
 */
export function expiryOf(token: string): number {
  try {
    const payload: unknown = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    const exp = (payload as { exp?: unknown } | null)?.exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : 0;
  } catch {
    return 0;
  }
}
