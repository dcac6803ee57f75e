import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { LiveSocket } from '../src/primitives/live-socket.js';
import { textFrame } from '../src/primitives/wire-frame.js';

// The ready-made frames a node writes for live events must read back exactly, in order with ws's own frames.
describe('ready-made WebSocket frames', () => {
  const server = createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false, WebSocket: LiveSocket });
  let client: WebSocket;
  let peer: LiveSocket;
  const received: string[] = [];

  beforeAll(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const connected = once(wss, 'connection');
    client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`, { perMessageDeflate: false, maxPayload: 2 ** 20 });
    client.on('message', (data, isBinary) => received.push(isBinary ? '<binary>' : data.toString()));
    [peer] = (await connected) as [LiveSocket];
    await once(client, 'open');
  });
  afterAll(() => {
    client.terminate();
    wss.close();
    server.close();
  });

  async function roundTrip(texts: string[], interleave = false): Promise<string[]> {
    received.length = 0;
    texts.forEach((text, i) => (interleave && i % 2 ? peer.send(text) : peer.writeFrame(textFrame(Buffer.from(text)))));
    while (received.length < texts.length) await new Promise((r) => setTimeout(r, 5));
    return [...received];
  }

  it('when payloads cross the 7-bit and 16-bit length boundaries, then each arrives whole', async () => {
    const sizes = [0, 1, 125, 126, 127, 65535, 65536, 70_000];
    const texts = sizes.map((n) => 'x'.repeat(n));
    expect(await roundTrip(texts)).toEqual(texts);
  });

  it('when ready-made frames and ws frames are mixed on one socket, then they arrive in the order written', async () => {
    const texts = Array.from({ length: 50 }, (_, i) => JSON.stringify({ i, pad: 'é'.repeat(i * 7) }));
    expect(await roundTrip(texts, true)).toEqual(texts);
  });

  it('when the payload is any unicode text, then the client reads the same text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ unit: 'grapheme', maxLength: 300 }), { minLength: 1, maxLength: 5 }), async (texts) => {
        expect(await roundTrip(texts)).toEqual(texts);
      }),
      { numRuns: 50 },
    );
  });
});
