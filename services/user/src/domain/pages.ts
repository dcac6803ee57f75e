import { Uuid } from '@chat/contracts';
import { ValidationError } from '@chat/service-kit';

export const DEFAULT_PAGE_SIZE = 50;

/** List cursors are the last user id of the previous page. */
export function parseCursor(cursor: string | undefined): string | null {
  if (cursor === undefined) return null;
  if (!Uuid.safeParse(cursor).success) throw new ValidationError([{ path: 'query.cursor', message: 'unknown cursor' }]);
  return cursor;
}

/** Turns `limit + 1` fetched rows into one page and its cursor. */
export function toPage<R extends { id: string }, T>(rows: R[], limit: number, map: (row: R) => T) {
  const items = rows.slice(0, limit);
  const hasMore = rows.length > limit;
  return { data: items.map(map), page: { nextCursor: hasMore ? items[items.length - 1]!.id : null, hasMore } };
}
