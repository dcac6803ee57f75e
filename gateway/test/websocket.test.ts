import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { boot as bootGateway } from '@chat/gateway';
import { type Isolation, createIsolation, startService } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';

describe('gateway /ws', () => {
  let isolation: Isolation;
  let upstream: ReturnType<typeof createServer>;
  let upstreamUrl: string;
  let seenAuth: string | undefined;
  beforeAll(async () => {
    isolation = createIsolation();
    upstream = createServer();
    const wss = new WebSocketServer({ server: upstream });
    wss.on('connection', (socket, req) => {
      seenAuth = req.headers.authorization;
      socket.on('message', (data) => socket.send(`echo:${data.toString()}`));
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    upstream?.closeAllConnections();
    await new Promise((r) => upstream?.close(r));
    await isolation?.cleanup();
  });

  it('when a client upgrades on /ws, then the socket is proxied to the realtime service with its headers', async () => {
    const gw = await startService(bootGateway, { ...isolation.env, REALTIME_URL: upstreamUrl });
    try {
      const ws = new WebSocket(`${gw.url.replace('http', 'ws')}/ws`, { headers: { authorization: 'Bearer abc' } });
      const reply = await new Promise<string>((resolve, reject) => {
        ws.once('open', () => ws.send('hello'));
        ws.once('message', (d) => resolve(d.toString()));
        ws.once('error', reject);
      });
      expect(reply).toBe('echo:hello');
      expect(seenAuth).toBe('Bearer abc');
      ws.close();
    } finally {
      await gw.stop();
    }
  });

  it('when a client upgrades on another path, then the upgrade is refused', async () => {
    const gw = await startService(bootGateway, { ...isolation.env, REALTIME_URL: upstreamUrl });
    try {
      const ws = new WebSocket(`${gw.url.replace('http', 'ws')}/elsewhere`);
      const outcome = await new Promise<string>((resolve) => {
        ws.once('open', () => resolve('open'));
        ws.once('error', () => resolve('error'));
      });
      expect(outcome).toBe('error');
    } finally {
      await gw.stop();
    }
  });
});
