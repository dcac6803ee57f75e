import { type RunningService, type Stack, as } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt, expiredTokenOf, metricValue, metricsOf, newUser, secondSession } from './helpers.js';
import { startRealtimeNode, startRealtimeStack, wsUrl } from './stack.js';
import { WsClient } from './ws-client.js';

let stack: Stack;
let gatewayWs: string;
let directWs: string;
beforeAll(async () => {
  stack = await startRealtimeStack({ env: { WS_AUTH_TIMEOUT_MS: '400' } });
  gatewayWs = wsUrl(stack.gateway.url);
  directWs = wsUrl(stack.services.realtime!.url);
});
afterAll(async () => {
  WsClient.terminateAll();
  await stack?.stop();
});

describe('authentication', () => {
  it('when a client connects through the gateway with a bearer header, then it gets ready with its connection, user, session, heartbeat interval and server time', async () => {
    const user = await newUser(stack);
    const client = await WsClient.ready(gatewayWs, user.accessToken);
    const ready = client.frames[0]!;
    expect(ready).toEqual({
      op: 'ready',
      d: {
        connectionId: expect.any(String),
        userId: user.id,
        sessionId: decodeJwt(user.accessToken, 1).sid,
        heartbeatIntervalMs: 30_000,
        serverTime: expect.any(String),
      },
    });
    expect(Math.abs(Date.parse(ready.d.serverTime) - Date.now())).toBeLessThan(5000);
    client.close();
  });

  it('when a client connects to the node directly, then it gets ready too, and each socket has its own connection id', async () => {
    const user = await newUser(stack);
    const [a, b] = await Promise.all([WsClient.ready(directWs, user.accessToken), WsClient.ready(gatewayWs, user.accessToken)]);
    expect(a.frames[0]!.d.connectionId).not.toBe(b.frames[0]!.d.connectionId);
    a.close();
    b.close();
  });

  it('when a client sends auth as its first frame, then it gets ready', async () => {
    const user = await newUser(stack);
    const client = await WsClient.open(gatewayWs);
    client.send({ op: 'auth', d: { token: user.accessToken } });
    const ready = await client.next((f) => f.op === 'ready');
    expect(ready.d.userId).toBe(user.id);
    client.close();
  });

  it('when a client connects without a token and says nothing, then it is closed with 4001 after the auth timeout', async () => {
    const client = await WsClient.open(gatewayWs);
    expect(await client.closeCode()).toBe(4001);
  });

  it('when the first frame is not auth, then 4001', async () => {
    const client = await WsClient.open(gatewayWs);
    client.send({ op: 'ping' });
    expect(await client.closeCode()).toBe(4001);
  });

  it('when the first frame is not JSON, then 4001', async () => {
    const client = await WsClient.open(directWs);
    client.send('{nope');
    expect(await client.closeCode()).toBe(4001);
  });

  it('when the token is bad (garbage, forged signature, malformed header), then 4001, by header and by first frame', async () => {
    const user = await newUser(stack);
    const [header, payload] = user.accessToken.split('.');
    const forged = `${header}.${payload}.${Buffer.from('x'.repeat(64)).toString('base64url')}`;
    for (const token of ['garbage', forged]) {
      const byHeader = await WsClient.open(gatewayWs, { token });
      expect(await byHeader.closeCode()).toBe(4001);
      const byFrame = await WsClient.open(gatewayWs);
      byFrame.send({ op: 'auth', d: { token } });
      expect(await byFrame.closeCode()).toBe(4001);
    }
    const malformed = await WsClient.open(gatewayWs, { headers: { authorization: 'Basic abc' } });
    expect(await malformed.closeCode()).toBe(4001);
  });

  it('when the token has expired, then 4001 with the reason token expired', async () => {
    const user = await newUser(stack);
    const client = await WsClient.open(gatewayWs, { token: expiredTokenOf(stack, user) });
    const closed = await client.closed;
    expect(closed).toEqual({ code: 4001, reason: 'token expired' });
  });

  it('when the session was revoked (logged out), then its still unexpired token gets 4001', async () => {
    const user = await newUser(stack);
    expect((await as(stack, user).post('/auth/logout')).status).toBe(204);
    const client = await WsClient.open(gatewayWs, { token: user.accessToken });
    expect(await client.closeCode()).toBe(4001);
  });

  it('when a session is revoked while its sockets are open, then they get session.revoked and 4001, and the other session stays connected', async () => {
    const phone = await newUser(stack);
    const laptop = await secondSession(stack, phone);
    const [onPhone, onLaptop] = await Promise.all([WsClient.ready(gatewayWs, phone.accessToken), WsClient.ready(directWs, laptop.accessToken)]);
    const phoneSession = decodeJwt(phone.accessToken, 1).sid;
    expect((await as(stack, laptop).delete(`/auth/sessions/${phoneSession}`)).status).toBe(204);
    expect(await onPhone.closeCode()).toBe(4001);
    expect(onPhone.events('session.revoked')).toEqual([{ op: 'event', t: 'session.revoked', d: { sessionId: phoneSession, reason: expect.any(String) } }]);
    expect(await onLaptop.request('ping')).toEqual({ op: 'pong', ref: expect.any(String) });
    onLaptop.close();
  });
});

describe('heartbeats', () => {
  let node: RunningService;
  beforeAll(async () => {
    node = await startRealtimeNode(stack, { WS_HEARTBEAT_INTERVAL_MS: '300' });
  });
  afterAll(() => node?.stop());

  it('when a client pings, then it gets pong with its ref and stays connected past two intervals; a silent one is closed with 4000', async () => {
    const user = await newUser(stack);
    const [talker, silent] = await Promise.all([WsClient.ready(wsUrl(node.url), user.accessToken), WsClient.ready(wsUrl(node.url), user.accessToken)]);
    expect(talker.frames[0]!.d.heartbeatIntervalMs).toBe(300);
    const started = Date.now();
    const pinger = setInterval(() => talker.send({ op: 'ping' }), 150);
    try {
      expect(await silent.closeCode()).toBe(4000);
      expect(Date.now() - started).toBeGreaterThanOrEqual(500);
      expect(await talker.request('ping')).toEqual({ op: 'pong', ref: expect.any(String) });
      expect(talker.ws.readyState).toBe(talker.ws.OPEN);
    } finally {
      clearInterval(pinger);
    }
    talker.close();
  });

  it('when a client sends only WebSocket-level pings, then they are answered and keep it alive', async () => {
    const user = await newUser(stack);
    const client = await WsClient.ready(wsUrl(node.url), user.accessToken);
    let pongs = 0;
    client.ws.on('pong', () => (pongs += 1));
    const pinger = setInterval(() => client.ws.ping(), 150);
    await new Promise((r) => setTimeout(r, 900));
    clearInterval(pinger);
    expect(pongs).toBeGreaterThanOrEqual(3);
    expect(client.ws.readyState).toBe(client.ws.OPEN);
    client.close();
  });
});

describe('admission', () => {
  it('when the origin is not allowed, then the upgrade is refused with 403; an allowed origin and native clients (no origin) get in', async () => {
    const node = await startRealtimeNode(stack, { WS_ALLOWED_ORIGINS: 'https://app.example, https://web.example' });
    try {
      const user = await newUser(stack);
      await expect(WsClient.open(wsUrl(node.url), { token: user.accessToken, origin: 'https://evil.example' })).rejects.toThrow('403');
      const allowed = await WsClient.open(wsUrl(node.url), { token: user.accessToken, origin: 'https://web.example' });
      await allowed.next((f) => f.op === 'ready');
      const native = await WsClient.ready(wsUrl(node.url), user.accessToken);
      allowed.close();
      native.close();
    } finally {
      await node.stop();
    }
  });

  it('when a user is at the connection cap across nodes, then one more socket gets rate_limited and 4029; after one closes, a new one gets in', async () => {
    const nodes = [await startRealtimeNode(stack, { WS_MAX_CONNECTIONS_PER_USER: '2' }), await startRealtimeNode(stack, { WS_MAX_CONNECTIONS_PER_USER: '2' })];
    try {
      const user = await newUser(stack);
      const first = await WsClient.ready(wsUrl(nodes[0]!.url), user.accessToken);
      const second = await WsClient.ready(wsUrl(nodes[1]!.url), user.accessToken);
      const third = await WsClient.open(wsUrl(nodes[0]!.url), { token: user.accessToken });
      expect(await third.closeCode()).toBe(4029);
      expect(third.frames).toEqual([{ op: 'error', error: { code: 'rate_limited', message: expect.any(String) } }]);
      first.close();
      await first.closed;
      const again = await WsClient.ready(wsUrl(nodes[1]!.url), user.accessToken);
      second.close();
      again.close();
    } finally {
      for (const node of nodes) await node.stop();
    }
  });

  it('when a path other than /ws is asked for, then the upgrade is refused with 404', async () => {
    await expect(WsClient.open(`${wsUrl(stack.services.realtime!.url)}/../nope`)).rejects.toThrow();
    await expect(WsClient.open(stack.services.realtime!.url.replace('http', 'ws') + '/elsewhere')).rejects.toThrow('404');
  });
});

describe('operations', () => {
  it('when a node stops, then its sockets are closed with 1001', async () => {
    const node = await startRealtimeNode(stack);
    const user = await newUser(stack);
    const client = await WsClient.ready(wsUrl(node.url), user.accessToken);
    const stopping = node.stop();
    expect(await client.closeCode()).toBe(1001);
    await stopping;
  });

  it('when the node is asked for health, readiness and metrics, then it answers, with socket and subscription gauges', async () => {
    const url = stack.services.realtime!.url;
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const ready = await fetch(`${url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { redis: 'ok', nats: 'ok' } });
    const user = await newUser(stack);
    const client = await WsClient.ready(directWs, user.accessToken);
    const text = await metricsOf(stack.services.realtime!);
    expect((await fetch(`${url}/metrics`)).status).toBe(404);
    expect(metricValue(text, 'realtime_connected_sockets{state="ready"')).toBeGreaterThanOrEqual(1);
    expect(metricValue(text, 'realtime_subscriptions{kind="user"')).toBeGreaterThanOrEqual(1);
    for (const name of ['realtime_events_in_total', 'realtime_events_out_total', 'realtime_send_buffer_drops_total', 'realtime_sync_replays_total'])
      expect(text).toContain(name);
    client.close();
  });
});
