import { boot as bootGateway } from '@chat/gateway';
import { type RunningService, type Stack, startService, waitFor } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue, metricsOf, newUser } from './helpers.js';
import { startRealtimeStack, wsUrl } from './stack.js';
import { WsClient } from './ws-client.js';

const CAP = 3;

let stack: Stack;
let direct: string;
beforeAll(async () => {
  // The node trusts loopback peers (the default TRUST_PROXY), so X-Forwarded-For sent straight to it stands for a proxy's word.
  stack = await startRealtimeStack({ env: { WS_MAX_UNAUTHENTICATED_PER_IP: String(CAP), WS_AUTH_TIMEOUT_MS: '60000' } });
  direct = wsUrl(stack.services.realtime!.url);
});
afterAll(async () => {
  WsClient.terminateAll();
  await stack?.stop();
});

const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });
const openFrom = (url: string, ip: string) => WsClient.open(url, from(ip));

describe('unauthenticated sockets per client address', () => {
  it('when one address holds the cap of unauthenticated sockets, then its next upgrade gets 429 while another address still gets in', async () => {
    const refused = async () => metricValue(await metricsOf(stack.services.realtime!), 'rate_limit_refusals_total{limit="ws-unauthenticated-per-ip"}') ?? 0;
    const before = await refused();
    const held = await Promise.all(Array.from({ length: CAP }, () => openFrom(direct, '198.51.100.1')));
    await expect(openFrom(direct, '198.51.100.1')).rejects.toThrow('upgrade refused: 429');
    expect(await refused()).toBe(before + 1);
    const other = await openFrom(direct, '198.51.100.2');
    expect(other.ws.readyState).toBe(other.ws.OPEN);
    for (const c of [...held, other]) expect(c.ws.readyState).toBe(c.ws.OPEN);
  });

  it('when one of them authenticates, then it no longer counts and a new socket from the address is accepted', async () => {
    const user = await newUser(stack);
    const held = await Promise.all(Array.from({ length: CAP }, () => openFrom(direct, '198.51.100.3')));
    await expect(openFrom(direct, '198.51.100.3')).rejects.toThrow('upgrade refused: 429');
    held[0]!.send({ op: 'auth', d: { token: user.accessToken } });
    await held[0]!.next((f) => f.op === 'ready');
    const next = await openFrom(direct, '198.51.100.3');
    expect(next.ws.readyState).toBe(next.ws.OPEN);
    await expect(openFrom(direct, '198.51.100.3')).rejects.toThrow('upgrade refused: 429');
  });

  it('when a socket brings its token on the upgrade, then it leaves the count once ready', async () => {
    const user = await newUser(stack);
    const withToken = await WsClient.open(direct, { ...from('198.51.100.5'), token: user.accessToken });
    await withToken.next((f) => f.op === 'ready');
    await Promise.all(Array.from({ length: CAP }, () => openFrom(direct, '198.51.100.5')));
    await expect(openFrom(direct, '198.51.100.5')).rejects.toThrow('upgrade refused: 429');
  });

  it('when an unauthenticated socket is closed, then its slot is free again', async () => {
    const held = await Promise.all(Array.from({ length: CAP }, () => openFrom(direct, '198.51.100.4')));
    held[0]!.send('not an auth frame');
    expect(await held[0]!.closeCode()).toBe(4001);
    // The node sees the close a moment after the client does: retry until it has.
    const next = await waitFor(() => openFrom(direct, '198.51.100.4').catch(() => undefined), 5000, 'a free slot');
    expect(next.ws.readyState).toBe(next.ws.OPEN);
  });
});

describe('through the gateway', () => {
  let gateway: RunningService;
  beforeAll(async () => {
    // A gateway that trusts no proxy: clients' own X-Forwarded-For must not pass through to the node.
    gateway = await startService(bootGateway, { ...stack.env, TRUST_PROXY: 'false' });
  });
  afterAll(async () => {
    WsClient.terminateAll();
    await gateway?.stop();
  });

  it('when a client behind the gateway makes up a new X-Forwarded-For for each socket, then its sockets still count under its own address', async () => {
    const url = wsUrl(gateway.url);
    const held = await Promise.all(Array.from({ length: CAP }, (_, i) => openFrom(url, `203.0.113.${i + 1}`)));
    await expect(openFrom(url, '203.0.113.99')).rejects.toThrow('upgrade refused: 429');
    expect(held).toHaveLength(CAP);
  });
});
