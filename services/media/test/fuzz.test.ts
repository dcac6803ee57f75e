import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, type TestUser, registerUser } from '@chat/testkit';
import { type MediaStack, startMediaStack } from './stack.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 60);

let stack: MediaStack;
let user: TestUser;
beforeAll(async () => {
  // Generous limits: this file sends hundreds of requests from one user and one address.
  stack = await startMediaStack({ RATE_LIMIT_UPLOAD_PER_MINUTE: '100000', RATE_LIMIT_USER_PER_MINUTE: '100000', RATE_LIMIT_IP_PER_MINUTE: '100000' });
  user = await registerUser(stack.api);
});
afterAll(() => stack?.stop());

const NASTY_KEYS = ['__proto__', 'constructor', 'toString', 'valueOf'];
const anyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.constantFrom('', ' ', '\u0000', '../../etc/passwd', 'a/b\\c', 'image/png', 'text/html', 'image/*', 'x'.repeat(300), '\ud800', 'avatar', 'story'),
);
const anyValue = fc.oneof(
  anyString,
  fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 2 ** 53, 1e308, 104857601),
);
const plausible = fc.record(
  {
    fileName: fc.oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 300 }), anyValue),
    contentType: fc.oneof(
      fc.constantFrom('image/png', 'application/pdf', 'text/html', 'application/x-msdownload', 'video/mp4'),
      fc.stringMatching(/^[a-z]{1,10}\/[a-z.+-]{1,20}$/),
      anyValue,
    ),
    size: fc.oneof(fc.integer({ min: -10, max: 200 * 1024 * 1024 }), anyValue),
    purpose: fc.oneof(fc.constantFrom('attachment', 'avatar', 'story'), anyValue),
  },
  { requiredKeys: [] },
);
const bodies = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.object({ maxDepth: 2 }),
  fc.dictionary(fc.constantFrom('fileName', 'contentType', 'size', 'purpose', ...NASTY_KEYS), anyValue),
  { weight: 4, arbitrary: plausible },
);

/** Lone surrogates cannot be put in a URL at all. */
function encodable(s: string): boolean {
  try {
    encodeURIComponent(s);
    return true;
  } catch {
    return false;
  }
}

function expectHandled(res: ApiResponse, what: string): void {
  expect(res.status, what).toBeLessThan(500);
  if (res.status >= 400) {
    expect(res.headers.get('content-type'), what).toMatch(/^application\/problem\+json/);
    expect(res.body, what).toMatchObject({ status: res.status, code: expect.any(String), detail: expect.any(String) });
  }
}

describe('fuzzing the media routes', () => {
  it('when POST /media/uploads gets arbitrary JSON, then never a 5xx and every error is problem+json', async () => {
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const res = await stack.api.request('POST', '/api/v1/media/uploads', { rawBody: JSON.stringify(body), token: user.accessToken });
        expectHandled(res, JSON.stringify(body).slice(0, 300));
        if (res.status === 201) expect(res.body.uploadMethod).toBe('PUT');
      }),
      { numRuns: RUNS },
    );
  });

  it('when the content route gets arbitrary ids and query values, then never a 5xx and never any bytes', async () => {
    const query = fc.record(
      { variant: anyString, exp: fc.oneof(anyString, fc.nat().map(String)), sig: fc.oneof(anyString, fc.stringMatching(/^[A-Za-z0-9_-]{43}$/)) },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uuid(),
          anyString.filter((s) => s.length > 0 && encodable(s)),
        ),
        query,
        async (id, q) => {
          const search = new URLSearchParams(Object.entries(q).map(([k, v]): [string, string] => [k, String(v)])).toString();
          const res = await stack.api.get(`/api/v1/media/${encodeURIComponent(id)}/content?${search}`);
          expectHandled(res, `${id} ${search}`);
          expect(res.status, `${id} ${search}`).not.toBe(200);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
