import { z } from '@chat/contracts';
import { type FieldError, ValidationError } from '../errors.js';

function joinPath(prefix: string, path: PropertyKey[]): string {
  return [prefix, ...path.map(String)].filter(Boolean).join('.');
}

/** Flattens zod issues into `errors[]`; an unknown key is reported at its own path. */
export function fieldErrors(error: z.ZodError, prefix = ''): FieldError[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: joinPath(prefix, [...issue.path, key]), message: 'unknown field' }));
    }
    return [{ path: joinPath(prefix, issue.path), message: issue.message }];
  });
}

/** Parses `value` or throws 400 `validation_failed`. `prefix` names where the value came from. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(fieldErrors(result.error, prefix));
  return result.data;
}

/** Paths of the strings in `value` holding a NUL character (iterative: bodies may nest deeply). */
function nulPaths(value: unknown, prefix: string): string[] {
  const found: string[] = [];
  const pending: [unknown, string][] = [[value, prefix]];
  while (pending.length > 0) {
    const [item, path] = pending.pop()!;
    if (typeof item === 'string') {
      if (item.includes('\u0000')) found.push(path);
    } else if (item !== null && typeof item === 'object') {
      for (const [key, child] of Object.entries(item)) pending.push([child, path ? `${path}.${key}` : key]);
    }
  }
  return found.sort();
}

/**
 * PostgreSQL text cannot hold NUL characters: a string with one is refused as 400 naming its
 * field, instead of failing later at the query as a 500.
 */
export function rejectNulCharacters(value: unknown, prefix = ''): void {
  const paths = nulPaths(value, prefix);
  if (paths.length > 0) throw new ValidationError(paths.map((path) => ({ path, message: 'must not contain NUL characters' })));
}
