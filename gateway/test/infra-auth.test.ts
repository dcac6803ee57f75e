import { generateKeyPairSync } from 'node:crypto';
import { createConnection } from 'node:net';
import { boot as bootAuth } from '@chat/auth';
import { boot as bootGateway } from '@chat/gateway';
import { natsCredentials } from '@chat/service-kit';
import { INFRA_SECRETS_DIR, type Stack, TEST_REDIS_URL, registerUser, startStack } from '@chat/testkit';
import { type NatsConnection, connect } from '@nats-io/transport-node';
import jwt from 'jsonwebtoken';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ gateway: bootGateway, services: { auth: bootAuth } });
});
afterAll(() => stack?.stop());

/** A connection with the credentials of one of the system's services. */
function connectAs(service: string): Promise<NatsConnection> {
  const credentials = natsCredentials(service, { NODE_ENV: 'test', INFRA_SECRETS_DIR });
  expect(credentials, `local credentials of ${service}`).toBeDefined();
  return connect({ servers: stack.env.NATS_URL!, ...credentials });
}

/** Subscribes and resolves with the server's refusal, or 'allowed' once a round trip passed without one. */
async function trySubscribe(nc: NatsConnection, subject: string): Promise<string> {
  let refusal: string | undefined;
  nc.subscribe(subject, {
    callback: (err) => {
      refusal ??= err?.message;
    },
  });
  await nc.flush();
  await nc.flush();
  return refusal ?? 'allowed';
}

describe('NATS accepts only authenticated services, each within its subjects', () => {
  it('when a process connects without credentials, then NATS refuses it', async () => {
    await expect(connect({ servers: stack.env.NATS_URL!, reconnect: false })).rejects.toThrow(/authorization/i);
    await expect(connect({ servers: stack.env.NATS_URL!, user: 'auth', pass: 'guessed', reconnect: false })).rejects.toThrow(/authorization/i);
  });

  it('when another service tries to answer rpc.auth.jwks with a planted key, then NATS refuses the subscription and a token signed with that key gets 401', async () => {
    const intruder = await connectAs('chat');
    try {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const planted = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'planted', alg: 'ES256', use: 'sig' }] };
      let answered = 0;
      intruder.subscribe(`${stack.env.NATS_PREFIX}rpc.auth.jwks`, {
        callback: (err, msg) => {
          if (err || !msg) return;
          answered++;
          msg.respond(JSON.stringify({ ok: true, data: planted }));
        },
      });
      expect(await trySubscribe(intruder, `${stack.env.NATS_PREFIX}rpc.auth.verify-password`)).toMatch(/permissions violation/i);
      const user = await registerUser(stack.api);
      const forged = jwt.sign({ sub: user.id, app: user.appId, sid: '00000000-0000-7000-8000-000000000000' }, privateKey, {
        algorithm: 'ES256',
        keyid: 'planted',
        expiresIn: 600,
      });
      const res = await stack.api.get('/api/v1/auth/me', { headers: { authorization: `Bearer ${forged}` } });
      expect(res.status).toBe(401);
      expect(answered).toBe(0);
    } finally {
      await intruder.close();
    }
  });

  it("when a service publishes another service's event or reads another's replies, then NATS refuses it", async () => {
    const intruder = await connectAs('chat');
    try {
      const errors: string[] = [];
      void (async () => {
        for await (const s of intruder.status()) if (s.type === 'error') errors.push(String(s.error));
      })();
      intruder.publish(`${stack.env.NATS_PREFIX}evt.auth.session.revoked`, '{}');
      await intruder.flush();
      await intruder.flush();
      expect(errors.join('\n')).toMatch(/permissions violation for publish/i);
      expect(await trySubscribe(intruder, '_INBOX.gateway.>')).toMatch(/permissions violation/i);
      // Its own subjects still work.
      expect(await trySubscribe(intruder, `${stack.env.NATS_PREFIX}rpc.chat.authorize`)).toBe('allowed');
    } finally {
      await intruder.close();
    }
  });
});

/** One inline command over a plain socket, as any process on the network could send it: the first reply line. */
function rawRedisReply(host: string, port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port }, () => socket.write(`${command}\r\n`));
    socket.setEncoding('utf8');
    socket.once('data', (line: string) => {
      socket.destroy();
      resolve(line.trim());
    });
    socket.once('error', reject);
  });
}

describe('Redis accepts only authenticated clients', () => {
  it('when a client sends commands without AUTH, then Redis refuses them; the services user cannot run server-wide commands', async () => {
    const url = new URL(TEST_REDIS_URL);
    expect(await rawRedisReply(url.hostname, Number(url.port), 'GET anything')).toMatch(/^-NOAUTH/);
    const service = createClient({ url: TEST_REDIS_URL });
    await service.connect();
    try {
      expect(await service.ping()).toBe('PONG');
      await expect(service.flushAll()).rejects.toThrow(/NOPERM/);
      await expect(service.configGet('requirepass')).rejects.toThrow(/NOPERM/);
      await expect(service.keys('*')).rejects.toThrow(/NOPERM/);
    } finally {
      await service.close();
    }
  });
});
