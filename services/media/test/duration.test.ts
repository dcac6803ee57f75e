import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser } from '@chat/testkit';
import { MP4, PDF, png } from './fixtures.js';
import { type EventRecorder, recordMediaEvents, uploadDirect, uploadViaStore } from './helpers.js';
import { type MediaStack, startMediaStack } from './stack.js';

let stack: MediaStack;
let events: EventRecorder;
beforeAll(async () => {
  stack = await startMediaStack({ RATE_LIMIT_UPLOAD_PER_MINUTE: '1000', DURATION_SCAN_BYTES: String(64 * 1024) });
  events = await recordMediaEvents(stack);
});
afterAll(async () => {
  await events?.close();
  await stack?.stop();
});

/** A PCM WAV file of `ms` milliseconds of silence: 8 kHz, mono, 16-bit. */
function wav(ms: number, rate = 8000): Buffer {
  const data = Buffer.alloc(Math.round((rate * 2 * ms) / 1000));
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // channels
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28); // byte rate
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

describe('duration of video and audio', () => {
  it('when a WAV is uploaded, then the media, media.ready and a claim carry its duration', async () => {
    const user = await registerUser(stack.api);
    const res = await uploadDirect(stack, user, wav(1500), { fileName: 'note.wav', contentType: 'audio/wav' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: 'audio', contentType: 'audio/wav', durationMs: 1500 });
    expect((await events.waitFor('media.ready', { mediaId: res.body.id })).event.data.durationMs).toBe(1500);
    const claim = await events.rpc('rpc.media.claim', {
      appId: user.appId,
      userId: user.id,
      chatId: randomUUID(),
      messageId: randomUUID(),
      mediaIds: [res.body.id],
    });
    expect(claim.data.media[0].durationMs).toBe(1500);
  });

  it('when the file is longer than the part read for it, then the duration still comes from its header and size', async () => {
    const user = await registerUser(stack.api);
    const long = wav(30_000);
    expect(long.length).toBeGreaterThan(64 * 1024);
    const res = await uploadViaStore(stack, user, long, { fileName: 'long.wav', contentType: 'audio/wav' });
    expect(res.status).toBe(200);
    expect(res.body.durationMs).toBe(30_000);
  });

  it('when the file is not video or audio, or its duration cannot be read cheaply, then it has no duration', async () => {
    const user = await registerUser(stack.api);
    for (const [bytes, contentType] of [
      [PDF, 'application/pdf'],
      [await png(), 'image/png'],
      [MP4, 'video/mp4'],
    ] as const) {
      const res = await uploadDirect(stack, user, bytes, { contentType });
      expect(res.status, contentType).toBe(201);
      expect(res.body, contentType).not.toHaveProperty('durationMs');
    }
  });
});
