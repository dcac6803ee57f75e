/** A fresh idempotency key for a send (`crypto.randomUUID` of the platform: browsers, Node 19+). */
export function newClientMessageId(): string {
  const crypto = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (!crypto?.randomUUID) throw new Error('crypto.randomUUID is not available: pass clientMessageId yourself');
  return crypto.randomUUID();
}
