import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { BenchSocket } from '../src/bench-socket.js';

// The load generator's client against a real WebSocket server.
describe('the load generator socket', () => {
  const server = createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  let url: string;
  const peers: WebSocket[] = [];
  const received: string[] = [];
  const headers: Record<string, string | undefined>[] = [];
  wss.on('connection', (peer, req) => {
    peers.push(peer);
    headers.push({ authorization: req.headers.authorization });
    peer.on('message', (data) => received.push(data.toString()));
  });

  beforeAll(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
  });
  afterAll(() => {
    wss.close();
    server.close();
  });

  async function pair() {
    const count = peers.length;
    const client = await BenchSocket.connect(url, { authorization: 'Bearer abc' }, () => {});
    while (peers.length === count) await new Promise((r) => setTimeout(r, 5));
    return { client, peer: peers.at(-1)! };
  }

  const until = async (check: () => boolean) => {
    while (!check()) await new Promise((r) => setTimeout(r, 5));
  };

  it('when messages of every length class and fragmented ones arrive, then each is read whole and in order, and its sends reach the server', async () => {
    const { client, peer } = await pair();
    expect(headers.at(-1)).toEqual({ authorization: 'Bearer abc' });
    const got: string[] = [];
    client.onMessage = (data) => got.push(data.toString());
    const texts = [0, 1, 125, 126, 65535, 65536, 200_000].map((n, i) => `${i}:${'é'.repeat(n)}`);
    for (const text of texts) peer.send(text);
    peer.send('frag', { fin: false });
    peer.send('mented', { fin: true });
    await until(() => got.length === texts.length + 1);
    expect(got).toEqual([...texts, 'fragmented']);
    client.send('{"op":"ping"}');
    client.send('x'.repeat(70_000));
    await until(() => received.length >= 2);
    expect(received.slice(-2)).toEqual(['{"op":"ping"}', 'x'.repeat(70_000)]);
    client.close();
  });

  it('when the server speaks first, right as it accepts, then that message is not lost', async () => {
    wss.once('connection', (peer) => peer.send('welcome'));
    const got: string[] = [];
    await BenchSocket.connect(url, {}, (data) => got.push(data.toString()));
    await until(() => got.length === 1);
    expect(got).toEqual(['welcome']);
  });

  it('when the server pings, it gets a pong; when it closes, the client learns the code', async () => {
    const { client, peer } = await pair();
    const pong = once(peer, 'pong');
    peer.ping(Buffer.from('hi'));
    expect((await pong)[0].toString()).toBe('hi');
    const closed = new Promise<number>((r) => (client.onClose = r));
    peer.close(4008, 'slow consumer');
    expect(await closed).toBe(4008);
    expect(client.open).toBe(false);
  });

  it('when a proxy passes the upgrade answer on with its header names in lower case, then the socket opens', async () => {
    const proxy = createServer();
    proxy.on('upgrade', (req, socket) => {
      const key = req.headers['sec-websocket-key'] as string;
      const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\nsec-websocket-accept: ${accept}\r\n\r\n`);
      socket.write(Buffer.from([0x81, 0x02, 0x68, 0x69]));
    });
    proxy.listen(0, '127.0.0.1');
    await once(proxy, 'listening');
    const got: string[] = [];
    const client = await BenchSocket.connect(`ws://127.0.0.1:${(proxy.address() as AddressInfo).port}/ws`, {}, (data) => got.push(data.toString()));
    await until(() => got.length === 1);
    expect(got).toEqual(['hi']);
    client.close();
    proxy.close();
  });

  it('when the upgrade is refused, then connecting fails', async () => {
    const refusing = createServer((_req, res) => res.writeHead(401).end());
    refusing.on('upgrade', (_req, socket) => socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n'));
    refusing.listen(0, '127.0.0.1');
    await once(refusing, 'listening');
    await expect(BenchSocket.connect(`ws://127.0.0.1:${(refusing.address() as AddressInfo).port}/ws`, {}, () => {})).rejects.toThrow(/401/);
    refusing.close();
  });
});
