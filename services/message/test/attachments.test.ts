import type { Stack, TestUser } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, clientId, closeDatabases, expectProblem, newGroup, newUsers, send } from './helpers.js';
import { startMessageStack } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startMessageStack({}, { media: true });
});
afterAll(async () => {
  await closeDatabases();
  await stack?.stop();
});

const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

async function upload(user: TestUser): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([PDF], { type: 'application/pdf' }), 'notes.pdf');
  const res = await fetch(`${stack.gateway.url}/api/v1/media`, { method: 'POST', body: form, headers: { authorization: `Bearer ${user.accessToken}` } });
  const body = (await res.json()) as { id: string };
  expect(res.status, JSON.stringify(body)).toBe(201);
  return body.id;
}

describe('attachments', () => {
  it('when a member attaches their own ready media, then the message carries it as a file, and media.claim links it to the chat', async () => {
    const [a, b] = await newUsers(stack, 2);
    const chat = await newGroup(stack, a, [b]);
    const mediaId = await upload(a);
    const msg = await send(stack, a, chat.id, { text: 'see attached', attachments: [{ mediaId }] });
    expect(msg.type).toBe('file');
    expect(msg.attachments).toEqual([
      expect.objectContaining({ id: mediaId, kind: 'document', contentType: 'application/pdf', size: PDF.length, fileName: 'notes.pdf' }),
    ]);
    expect((await as(stack, b).get(`/messages/${msg.id}`)).body.attachments[0].id).toBe(mediaId);
  });

  it('when a member attaches someone else’s media or an unknown id, then 403 and nothing is sent', async () => {
    const [a, b] = await newUsers(stack, 2);
    const chat = await newGroup(stack, a, [b]);
    const theirs = await upload(b);
    const res = await as(stack, a).post(`/chats/${chat.id}/messages`, { clientMessageId: clientId(), text: 'mine now', attachments: [{ mediaId: theirs }] });
    expectProblem(res, 403, 'forbidden');
    const unknown = await as(stack, a).post(`/chats/${chat.id}/messages`, {
      clientMessageId: clientId(),
      attachments: [{ mediaId: '00000000-0000-7000-8000-0000000000ff' }],
    });
    expectProblem(unknown, 403, 'forbidden');
    expect((await as(stack, a).get(`/chats/${chat.id}/messages`)).body.data).toEqual([]);
  });

  it('when the same media is attached twice in one message, then 400', async () => {
    const [a] = await newUsers(stack, 1);
    const chat = await newGroup(stack, a);
    const mediaId = await upload(a);
    const res = await as(stack, a).post(`/chats/${chat.id}/messages`, { clientMessageId: clientId(), attachments: [{ mediaId }, { mediaId }] });
    expect(res.status).toBe(400);
  });
});
