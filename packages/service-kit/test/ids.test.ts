import { Uuid } from '@chat/contracts';
import { newId } from '@chat/service-kit';
import { describe, expect, it } from 'vitest';

const msOf = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);

describe('ids', () => {
  it('when many ids are made at once, then each is a valid v7 UUID, all differ and they sort in the order made', () => {
    const ids = Array.from({ length: 20_000 }, () => newId());
    for (const id of ids.slice(0, 500)) {
      expect(Uuid.safeParse(id).success).toBe(true);
      expect(id[14]).toBe('7');
      expect('89ab').toContain(id[19]);
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('when an id is made, then it carries the current time in milliseconds', () => {
    const before = Date.now();
    const id = newId();
    expect(msOf(id)).toBeGreaterThanOrEqual(before);
    expect(msOf(id)).toBeLessThanOrEqual(Date.now() + 1);
  });
});
