import { ValidationError } from '@chat/service-kit';
import type { z } from '@chat/contracts';

/** Opaque page cursors: base64url JSON, checked against `schema` on the way back in. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor<S extends z.ZodType>(schema: S, cursor: string | undefined): z.infer<S> | undefined {
  if (cursor === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    raw = undefined;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ValidationError([{ path: 'query.cursor', message: 'not a cursor of this search' }]);
  return parsed.data;
}
