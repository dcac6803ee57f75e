import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readDelivery } from '../src/frames.js';

const frameOf = (o: unknown) => Buffer.from(JSON.stringify(o));

describe('the load generator reading deliveries', () => {
  it('when a message.created event carries a benchmark text, then its seq, send id and scheduled time are read off the bytes', () => {
    fc.assert(
      fc.property(
        fc.uuid(),
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        fc.nat(),
        fc.double({ min: 0, max: 1e9, noNaN: true }).filter((x) => !Object.is(x, -0)),
        fc.string(),
        (chatId, seq, sendId, scheduledAt, other) => {
          const message = {
            id: chatId,
            chatId,
            seq,
            senderId: chatId,
            clientMessageId: `${other}-x`,
            type: 'text',
            text: `bench|${sendId}|${scheduledAt}`,
            mentions: [],
            reactions: [],
          };
          const frame = frameOf({ op: 'event', t: 'message.created', chatId, seq, actorId: chatId, createdAt: new Date(0).toISOString(), d: { message } });
          expect(readDelivery(frame)).toEqual({ seq, sendId, scheduledAt });
        },
      ),
    );
  });

  it('when the frame is anything else, then it is not taken for a delivery', () => {
    expect(readDelivery(frameOf({ op: 'ack', ref: '1', d: { message: { seq: 3, text: 'bench|1|2' } } }))).toBeUndefined();
    expect(readDelivery(frameOf({ op: 'event', t: 'message.edited', chatId: 'c', seq: 4, d: { message: { text: 'bench|1|2' } } }))).toBeUndefined();
    expect(readDelivery(frameOf({ op: 'event', t: 'message.created', chatId: 'c', seq: 5, d: { message: { text: 'hello' } } }))).toBeUndefined();
    expect(readDelivery(Buffer.from('{"op":"pong"}'))).toBeUndefined();
  });
});
