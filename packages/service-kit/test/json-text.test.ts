import fc from 'fast-check';
import { withJsonField } from '@chat/service-kit';
import { describe, expect, it } from 'vitest';

describe('building JSON around JSON already serialised', () => {
  it('when a field is added to any serialised object, then the text parses to the object with that field last', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.string(), fc.jsonValue(), (object, key, value) => {
        fc.pre(!Object.hasOwn(object, key));
        const text = withJsonField(JSON.stringify(object), key, JSON.stringify(value));
        // Compared with what JSON makes of the object (JSON has no -0: it writes 0).
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify({ ...object, [key]: value })));
        expect(text.endsWith(`${JSON.stringify(key)}:${JSON.stringify(value)}}`)).toBe(true);
      }),
    );
  });
});
