import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type TestUser, registerUser } from '@chat/testkit';
import { expectProblem, mediaRowsOf, postMedia, startUpload, storedObjects, uploadDirect } from './helpers.js';
import { type MediaStack, startMediaStack } from './stack.js';

const MAX = 256 * 1024;

let stack: MediaStack;
beforeAll(async () => {
  stack = await startMediaStack({ MEDIA_MAX_BYTES: String(MAX), RATE_LIMIT_UPLOAD_PER_MINUTE: '3' });
});
afterAll(() => stack?.stop());

/** A multipart body sent chunked (no Content-Length), so only the streaming limit can stop it. */
function chunkedMultipart(fileBytes: number): { body: ReadableStream<Uint8Array>; contentType: string } {
  const boundary = 'xBoundaryx';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const piece = Buffer.alloc(16 * 1024, 7);
  let sent = 0;
  let state: 'head' | 'file' | 'tail' | 'done' = 'head';
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state === 'head') {
        controller.enqueue(head);
        state = 'file';
      } else if (state === 'file') {
        const n = Math.min(piece.length, fileBytes - sent);
        controller.enqueue(piece.subarray(0, n));
        sent += n;
        if (sent >= fileBytes) state = 'tail';
      } else if (state === 'tail') {
        controller.enqueue(tail);
        state = 'done';
      } else controller.close();
    },
  });
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

describe('size limits', () => {
  // A user per test: uploads are rate-limited per user (3 a minute here).
  let user: TestUser;
  beforeEach(async () => {
    user = await registerUser(stack.api);
  });

  it('when a presigned upload declares more than the limit, then 413 and nothing is recorded', async () => {
    expectProblem(await startUpload(stack, user, Buffer.alloc(1), { size: MAX + 1 }), 413, 'payload_too_large');
    expect(await mediaRowsOf(stack, user.id)).toEqual([]);
  });

  it('when a multipart file is beyond the limit, then 413 and nothing is stored', async () => {
    const before = storedObjects(stack.s3Dir);
    expectProblem(await uploadDirect(stack, user, Buffer.alloc(MAX + 100 * 1024, 1)), 413, 'payload_too_large');
    expect(storedObjects(stack.s3Dir)).toEqual(before);
  });

  it('when a chunked multipart body passes the limit while streaming, then 413 and neither row nor object stays', async () => {
    const before = storedObjects(stack.s3Dir);
    const { body, contentType } = chunkedMultipart(MAX * 4);
    const res = await postMedia(stack, user, body, { headers: { 'content-type': contentType } });
    expectProblem(res, 413, 'payload_too_large');
    expect(storedObjects(stack.s3Dir)).toEqual(before);
    expect(await mediaRowsOf(stack, user.id)).toEqual([]);
  });

  it('when a file is exactly at the limit, then it is accepted', async () => {
    const res = await uploadDirect(stack, user, Buffer.alloc(MAX, 3));
    expect(res.status).toBe(201);
    expect(res.body.size).toBe(MAX);
  });
});

describe('upload rate limit', () => {
  it('when a user starts more uploads a minute than allowed, then 429 with Retry-After, and reading stays open', async () => {
    const user = await registerUser(stack.api);
    for (let i = 0; i < 3; i++) expect((await startUpload(stack, user, Buffer.alloc(10))).status).toBe(201);
    const limited = await uploadDirect(stack, user, Buffer.alloc(10));
    expectProblem(limited, 429, 'rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('ratelimit')).toMatch(/"gw-upload"; r=0/);
    expect((await stack.api.get('/api/v1/media', { token: user.accessToken })).status).toBe(200);
    const other = await registerUser(stack.api);
    expect((await startUpload(stack, other, Buffer.alloc(10))).status).toBe(201);
  });
});
