import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, waitFor } from '@chat/testkit';
import { PDF } from './fixtures.js';
import { getMedia, mediaRowsOf, putToStore, startUpload, storedObjects, uploadDirect } from './helpers.js';
import { type MediaStack, startMediaStack } from './stack.js';

let stack: MediaStack;
beforeAll(async () => {
  stack = await startMediaStack({ PENDING_UPLOAD_TTL_S: '1', PENDING_SWEEP_INTERVAL_MS: '100', UPLOAD_URL_TTL_S: '60' });
});
afterAll(() => stack?.stop());

describe('expired pending uploads', () => {
  it('when an upload is never completed, then after the configured time its row and uploaded object are removed, ready media untouched', async () => {
    const user = await registerUser(stack.api);
    const ready = await uploadDirect(stack, user, PDF, { contentType: 'application/pdf' });
    const ticket = await startUpload(stack, user, PDF, { contentType: 'application/pdf' });
    expect(new Date(ticket.body.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(1000);
    await putToStore(ticket.body, PDF);
    await waitFor(async () => ((await getMedia(stack, user, ticket.body.mediaId)).status === 404 ? true : undefined), 10_000, 'the pending upload to be swept');
    expect(storedObjects(stack.s3Dir, ticket.body.mediaId)).toEqual([]);
    expect(await mediaRowsOf(stack, user.id)).toEqual([{ id: ready.body.id, status: 'ready', hidden: false }]);
    expect((await getMedia(stack, user, ready.body.id)).status).toBe(200);
  });
});
