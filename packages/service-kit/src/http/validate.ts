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

/** Paths of the strings in `value` (keys included) PostgreSQL cannot store (iterative: bodies may nest deeply). */
function nulPaths(value: unknown, prefix: string): string[] {
  const found: string[] = [];
  const pending: [unknown, string][] = [[value, prefix]];
  while (pending.length > 0) {
    const [item, path] = pending.pop()!;
    if (typeof item === 'string') {
      if (!storable(item)) found.push(path);
    } else if (item !== null && typeof item === 'object') {
      for (const [key, child] of Object.entries(item)) {
        const childPath = path ? `${path}.${key}` : key;
        if (!storable(key)) found.push(childPath);
        else pending.push([child, childPath]);
      }
    }
  }
  return found.sort();
}

/** PostgreSQL text and jsonb hold neither NUL characters nor unpaired UTF-16 surrogates. */
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const storable = (s: string) => !s.includes('\u0000') && !UNPAIRED_SURROGATE.test(s);

/**
 * A string PostgreSQL cannot store (a NUL character, an unpaired surrogate) is refused as 400
 * naming its field, instead of failing later at the query as a 500.
 */
export function rejectNulCharacters(value: unknown, prefix = ''): void {
  const paths = nulPaths(value, prefix);
  if (paths.length > 0) throw new ValidationError(paths.map((path) => ({ path, message: 'must not contain NUL characters or unpaired surrogates' })));
}
