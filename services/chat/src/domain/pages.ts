import { Uuid } from '@chat/contracts';
import { ValidationError } from '@chat/service-kit';
import type { ActivityCursor } from '../store/chat-views.store.js';

export const DEFAULT_PAGE_SIZE = 50;

const invalidCursor = () => new ValidationError([{ path: 'query.cursor', message: 'unknown cursor' }]);

/** Cursors that are an id (members, public chats): the last id of the previous page. */
export function parseIdCursor(cursor: string | undefined): string | null {
  if (cursor === undefined) return null;
  if (!Uuid.safeParse(cursor).success) throw invalidCursor();
  return cursor;
}

const MICROSECONDS = /^\d{1,17}$/;

/** The caller's chat list pages by (activity, id); the cursor carries both, activity in microseconds. */
export function encodeActivityCursor(c: ActivityCursor): string {
  return Buffer.from(JSON.stringify([c.key, c.id])).toString('base64url');
}

export function parseActivityCursor(cursor: string | undefined): ActivityCursor | null {
  if (cursor === undefined) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw invalidCursor();
  const [key, id] = parsed as unknown[];
  if (typeof key !== 'string' || !MICROSECONDS.test(key) || !Uuid.safeParse(id).success) throw invalidCursor();
  return { key, id: id as string };
}

/** Turns `limit + 1` fetched rows into one page; `cursorOf` makes the cursor from the page's last row. */
export function toPage<R, T>(rows: R[], limit: number, map: (row: R) => T, cursorOf: (row: R) => string) {
  const items = rows.slice(0, limit);
  const hasMore = rows.length > limit;
  return { data: items.map(map), page: { nextCursor: hasMore ? cursorOf(items[items.length - 1]!) : null, hasMore } };
}
