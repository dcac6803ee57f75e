import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, registerUser, smsTo } from '@chat/testkit';
import { confirmPhone, expectProblem, me } from './helpers.js';
import { startAuthStack } from './stack.js';

const TOKEN = 'sms-provider-token-for-tests';

interface ProviderCall {
  method: string;
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: unknown;
}

/** A stand-in SMS provider on loopback: records each call and answers with `status`. */
let provider: Server;
const calls: ProviderCall[] = [];
let status = 202;

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

let stack: Stack;
beforeAll(async () => {
  provider = createServer(async (req, res) => {
    calls.push({
      method: req.method!,
      path: req.url!,
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
      body: await readBody(req),
    });
    res.writeHead(status, { 'content-type': 'application/json' }).end('{"id":"msg-1"}');
  });
  await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
  const { port } = provider.address() as AddressInfo;
  stack = await startAuthStack({ SMS_PROVIDER_URL: `http://127.0.0.1:${port}/v1/messages`, SMS_PROVIDER_TOKEN: TOKEN });
});
afterAll(async () => {
  await stack?.stop();
  await new Promise((resolve) => provider?.close(resolve));
});

const start = (accessToken: string) => stack.api.post('/api/v1/auth/verify-phone/start', undefined, { token: accessToken });

describe('the HTTP SMS provider', () => {
  it('when a code is asked for, then the provider gets one POST of { to, text } with the bearer token, and that code verifies', async () => {
    const phone = '+15550102030';
    const u = await registerUser(stack.api, { phone });
    expect((await start(u.accessToken)).status).toBe(202);

    const call = calls.find((c) => (c.body as { to?: string }).to === phone);
    expect(call).toMatchObject({ method: 'POST', path: '/v1/messages', authorization: `Bearer ${TOKEN}`, contentType: 'application/json' });
    expect(Object.keys(call!.body as object).sort()).toEqual(['text', 'to']);
    const code = /\b(\d{6})\b/.exec((call!.body as { text: string }).text)?.[1];
    expect(code).toBeDefined();
    expect(await smsTo(stack.env.SMS_OUTBOX_DIR!, phone)).toEqual([]);

    expect((await confirmPhone(stack, u.accessToken, code!)).status).toBe(204);
    expect((await me(stack.api, u.accessToken)).body.user.phoneVerified).toBe(true);
  });

  it('when the provider refuses the message, then 503 service_unavailable, so the caller knows to ask again', async () => {
    const u = await registerUser(stack.api, { phone: '+15550102031' });
    status = 500;
    try {
      expectProblem(await start(u.accessToken), 503, 'service_unavailable');
    } finally {
      status = 202;
    }
    expect((await start(u.accessToken)).status).toBe(202);
  });
});
