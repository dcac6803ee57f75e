import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '@chat/testkit';
import { expectProblem } from './helpers.js';
import { type MediaStack, startMediaStack } from './stack.js';

let stack: MediaStack;
let direct: ApiClient;
beforeAll(async () => {
  stack = await startMediaStack();
  direct = new ApiClient(stack.services.media!.url);
});
afterAll(() => stack?.stop());

describe('media service', () => {
  it('when /ready is asked, then PostgreSQL, Redis, NATS, migrations and the object store are all checked', async () => {
    const res = await direct.get('/ready');
    expect(res.status).toBe(200);
    expect(res.body.checks).toEqual({ postgres: 'ok', redis: 'ok', nats: 'ok', migrations: 'ok', storage: 'ok' });
  });

  it('when the gateway reports health, then media is up', async () => {
    // Overall status depends on which other services exist in the tree; media's own entry does not.
    expect((await stack.api.get('/health')).body).toMatchObject({ services: { auth: { status: 'up' }, media: { status: 'up' } } });
  });

  it('when the OpenAPI document is read, then the multipart upload and the binary download are described', async () => {
    const doc = (await stack.api.get('/openapi.json')).body;
    expect(doc.paths['/api/v1/media'].post.requestBody.content['multipart/form-data'].schema).toEqual({
      type: 'object',
      required: ['file'],
      properties: { file: { type: 'string', format: 'binary' } },
    });
    expect(doc.paths['/api/v1/media/{id}/content'].get.responses['200'].content['application/octet-stream']).toBeDefined();
    expect(doc.paths['/api/v1/media/{id}/content'].get.security).toEqual([]);
    expect(doc.paths['/api/v1/media/uploads'].post.requestBody.content['application/json']).toBeDefined();
  });

  it('when the service is called directly without a token, then it refuses on its own (401)', async () => {
    expectProblem(await direct.get('/media'), 401, 'unauthorized');
    expectProblem(await direct.post('/media/uploads', { fileName: 'a', contentType: 'image/png', size: 1 }), 401, 'unauthorized');
    expectProblem(
      await direct.request('POST', '/media', { rawBody: 'x', headers: { 'content-type': 'multipart/form-data; boundary=b' } }),
      401,
      'unauthorized',
    );
  });
});
