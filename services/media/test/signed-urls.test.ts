import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as Minio from 'minio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestUser, registerUser } from '@chat/testkit';
import { png } from './fixtures.js';
import { expectProblem, fetchUrl, startUpload, storedObjects, uploadDirect } from './helpers.js';
import { type MediaStack, startMediaStack } from './stack.js';

/** The literals development installs used to share before secrets were generated per install. */
const OLD_URL_SECRET = 'development-only-media-url-secret-0123456789';
const OLD_S3_ACCESS_KEY = 'media-dev';
const OLD_S3_SECRET_KEY = 'development-only-s3-secret-key';

let stack: MediaStack;
let user: TestUser;
// No secrets in the env: the stack generates its own, as an install does.
beforeAll(async () => {
  stack = await startMediaStack({ RATE_LIMIT_UPLOAD_PER_MINUTE: '1000', DOWNLOAD_URL_TTL_S: '120' });
  user = await registerUser(stack.api);
});
afterAll(() => stack?.stop());

const nowS = () => Math.floor(Date.now() / 1000);

/** A secret this stack generated for itself (what the service read at start). */
function generatedSecret(name: string): string {
  return readFileSync(join(stack.env.SECRETS_DIR!, name), 'utf8').trim();
}

function signedPath(secret: string, mediaId: string, exp: number | string, variant = 'original'): string {
  const sig = createHmac('sha256', secret).update(`${mediaId}\n${variant}\n${exp}`).digest('base64url');
  return `/api/v1/media/${mediaId}/content?variant=${variant}&exp=${exp}&sig=${sig}`;
}

/** A client of the embedded store with the given keys, at the endpoint presigned URLs name. */
function storeClient(endpoint: string, accessKey: string, secretKey: string): Minio.Client {
  const url = new URL(endpoint);
  return new Minio.Client({ endPoint: url.hostname, port: Number(url.port), useSSL: false, accessKey, secretKey, region: 'us-east-1', pathStyle: true });
}

describe('signed download URLs', () => {
  it('when a URL signed with the right secret carries an expiry beyond the allowed lifetime, then it is refused', async () => {
    const media = await uploadDirect(stack, user, await png(), { contentType: 'image/png' });
    const secret = generatedSecret('MEDIA_URL_SECRET');
    expect((await stack.api.get(signedPath(secret, media.body.id, nowS() + 60))).status).toBe(200);
    for (const exp of [nowS() + 24 * 3600, nowS() + 900 + 120, 9_999_999_999]) {
      expectProblem(await stack.api.get(signedPath(secret, media.body.id, exp)), 404, 'not_found');
    }
  });

  it('when the expiry is not a plain number of seconds, then the URL is refused as invalid', async () => {
    const media = await uploadDirect(stack, user, await png(), { contentType: 'image/png' });
    const secret = generatedSecret('MEDIA_URL_SECRET');
    for (const exp of ['1e12', '0x7fffffff', `${nowS() + 60}.5`, '999999999999', '-1']) {
      expectProblem(await stack.api.get(signedPath(secret, media.body.id, exp)), 400, 'validation_failed');
    }
  });

  it('when a URL is signed with the secret development installs used to share, then it is refused', async () => {
    const media = await uploadDirect(stack, user, await png(), { contentType: 'image/png' });
    expectProblem(await stack.api.get(signedPath(OLD_URL_SECRET, media.body.id, nowS() + 60)), 404, 'not_found');
  });

  it('when the owner reads a media, then its URL lives at most the configured time and works', async () => {
    const bytes = await png();
    const media = await uploadDirect(stack, user, bytes, { contentType: 'image/png' });
    const exp = Number(new URL(media.body.url).searchParams.get('exp'));
    expect(exp - nowS()).toBeLessThanOrEqual(120);
    const res = await fetchUrl(stack, media.body.url);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
  });
});

describe('the embedded store', () => {
  it('when a request is signed with the keys development installs used to share, then it is refused, while the install keys work', async () => {
    const media = await uploadDirect(stack, user, await png(), { contentType: 'image/png' });
    const [original] = storedObjects(stack.s3Dir, media.body.id);
    const ticket = await startUpload(stack, user, Buffer.from('x'), { contentType: 'text/plain' });
    const endpoint = new URL(ticket.body.uploadUrl).origin;
    const old = storeClient(endpoint, OLD_S3_ACCESS_KEY, OLD_S3_SECRET_KEY);
    expect((await fetch(await old.presignedGetObject('media', original!, 60))).status).toBe(403);
    expect((await fetch(await old.presignedPutObject('media', `${user.appId}/${ticket.body.mediaId}/upload`, 60), { method: 'PUT', body: 'x' })).status).toBe(
      403,
    );
    const current = storeClient(endpoint, generatedSecret('S3_ACCESS_KEY'), generatedSecret('S3_SECRET_KEY'));
    expect((await fetch(await current.presignedGetObject('media', original!, 60))).status).toBe(200);
  });
});
