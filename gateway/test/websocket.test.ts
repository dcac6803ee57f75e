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

describe('gateway /ws shutdown', () => {
  it('when the gateway stops while a proxied socket is open, then it stops promptly and the socket is closed', async () => {
    const isolation = createIsolation();
    const upstream = createServer();
    const wss = new WebSocketServer({ server: upstream });
    wss.on('connection', () => {});
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    try {
      const gw = await startService(bootGateway, { ...isolation.env, REALTIME_URL: upstreamUrl });
      const ws = new WebSocket(`${gw.url.replace('http', 'ws')}/ws`);
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      const closed = new Promise((resolve) => ws.once('close', resolve));
      const started = Date.now();
      await gw.stop();
      await closed;
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      upstream.closeAllConnections();
      for (const client of wss.clients) client.terminate();
      await new Promise((r) => upstream.close(r));
      await isolation.cleanup();
    }
  });
});
