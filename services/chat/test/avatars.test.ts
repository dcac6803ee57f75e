import { randomUUID } from 'node:crypto';
import type { Stack } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, as, expectInvalid, expectProblem, newAppUser, newGroup, newUser, setRole } from './helpers.js';
import { startChatStack } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startChatStack({}, { media: true });
});
afterAll(() => stack?.stop());

/** A 1x1 PNG. */
const TINY_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');

/** Uploads a file through the media service as `owner`; returns the media id. */
async function uploaded(owner: Caller, bytes = TINY_PNG, contentType = 'image/png'): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type: contentType }), 'file');
  const res = await fetch(`${stack.gateway.url}/api/v1/media?purpose=attachment`, {
    method: 'POST',
    body: form,
    headers: { authorization: `Bearer ${owner.accessToken}` },
  });
  const body = (await res.json()) as { id: string };
  expect(res.status, JSON.stringify(body)).toBe(201);
  return body.id;
}

/** An upload started and never finished. */
async function pendingUpload(owner: Caller): Promise<string> {
  const res = await stack.api.post(
    '/api/v1/media/uploads',
    { fileName: 'a.png', contentType: 'image/png', size: TINY_PNG.length },
    { token: owner.accessToken },
  );
  expect(res.status).toBe(201);
  return res.body.mediaId;
}

const createGroup = (who: Caller, avatarMediaId: string) => as(stack, who).post('/chats', { type: 'group', name: 'Pictured', avatarMediaId });

describe('POST /chats with avatarMediaId', () => {
  it('when the picture is an image the caller uploaded, then the chat shows it', async () => {
    const owner = await newUser(stack);
    const avatarMediaId = await uploaded(owner);
    const res = await createGroup(owner, avatarMediaId);
    expect(res.status).toBe(201);
    expect(res.body.avatarMediaId).toBe(avatarMediaId);
  });

  it("when the picture is another user's image, then 403 forbidden and no chat is made", async () => {
    const [owner, other] = await Promise.all([newUser(stack), newUser(stack)]);
    const theirs = await uploaded(other);
    expectProblem(await createGroup(owner, theirs), 403, 'forbidden');
    expect((await as(stack, owner).get('/chats')).body.data).toEqual([]);
  });

  it("when the picture is another app's image, an unknown id or an unfinished upload, then 403 forbidden alike", async () => {
    const owner = await newUser(stack);
    const stranger = await newAppUser(stack);
    const foreign = await uploaded(stranger);
    for (const avatarMediaId of [foreign, randomUUID(), await pendingUpload(owner)]) {
      const res = await createGroup(owner, avatarMediaId);
      expectProblem(res, 403, 'forbidden');
      expect(res.body.detail).toBe('the avatar must be an image you uploaded');
    }
    expectProblem(await createGroup(stranger, await uploaded(owner)), 403, 'forbidden');
  });

  it("when the picture is the caller's own PDF, then 400 naming avatarMediaId", async () => {
    const owner = await newUser(stack);
    expectInvalid(await createGroup(owner, await uploaded(owner, PDF, 'application/pdf')), 'avatarMediaId');
  });
});

describe('PATCH /chats/:id with avatarMediaId', () => {
  it('when an admin sets an image they uploaded, then the chat shows it; null removes it', async () => {
    const owner = await newUser(stack);
    const chat = await newGroup(stack, owner);
    const avatarMediaId = await uploaded(owner);
    const res = await as(stack, owner).patch(`/chats/${chat.id}`, { avatarMediaId });
    expect(res.status).toBe(200);
    expect(res.body.avatarMediaId).toBe(avatarMediaId);
    expect((await as(stack, owner).patch(`/chats/${chat.id}`, { avatarMediaId: null })).body.avatarMediaId).toBeNull();
  });

  it("when the picture is another user's or another app's image, then 403 forbidden and the chat keeps its picture", async () => {
    const [owner, member] = await Promise.all([newUser(stack), newUser(stack)]);
    const own = await uploaded(owner);
    const chat = await newGroup(stack, owner, [member], { avatarMediaId: own });
    const stranger = await newAppUser(stack);
    for (const avatarMediaId of [await uploaded(member), await uploaded(stranger)]) {
      expectProblem(await as(stack, owner).patch(`/chats/${chat.id}`, { avatarMediaId, name: 'Renamed' }), 403, 'forbidden');
    }
    expect((await as(stack, owner).get(`/chats/${chat.id}`)).body).toMatchObject({ avatarMediaId: own, name: 'Group' });
  });

  it("when the picture is the caller's own PDF, then 400 naming avatarMediaId", async () => {
    const owner = await newUser(stack);
    const chat = await newGroup(stack, owner);
    expectInvalid(await as(stack, owner).patch(`/chats/${chat.id}`, { avatarMediaId: await uploaded(owner, PDF, 'application/pdf') }), 'avatarMediaId');
    expect((await as(stack, owner).get(`/chats/${chat.id}`)).body.avatarMediaId).toBeNull();
  });

  it('when another admin edits the chat and sends the picture unchanged, then it is kept although it is not theirs', async () => {
    const [owner, admin] = await Promise.all([newUser(stack), newUser(stack)]);
    const own = await uploaded(owner);
    const chat = await newGroup(stack, owner, [admin], { avatarMediaId: own });
    await setRole(stack, owner, chat.id, admin.id, 'admin');
    const res = await as(stack, admin).patch(`/chats/${chat.id}`, { avatarMediaId: own, name: 'Renamed' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ avatarMediaId: own, name: 'Renamed' });
  });
});
