import { type ChatAuthorization, chatRpcs } from '@chat/contracts';
import { type Bus, connectBus, createLogger, serveRpc } from '@chat/service-kit';
import { type Isolation, createIsolation, toolsNatsCredentials, waitFor } from '@chat/testkit';
import type { Subscription } from '@nats-io/transport-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChatAccess } from '../src/domain/chat-access.js';

const APP = '00000000-0000-7000-8000-000000000001';
const CHAT = '00000000-0000-7000-8000-000000000002';
const USER = '00000000-0000-7000-8000-000000000003';
const TTL_MS = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The answers' cache on its own, against an `rpc.chat.authorize` responder that counts the questions.
describe('chat access cache', () => {
  let isolation: Isolation;
  let bus: Bus;
  let responder: Subscription;
  let asked = 0;
  let answered = 0;
  /** What the responder answers next, and how long it takes. */
  let allowed = true;
  let delayMs = 0;

  beforeAll(async () => {
    isolation = createIsolation();
    bus = await connectBus({
      url: isolation.env.NATS_URL!,
      prefix: isolation.env.NATS_PREFIX!,
      service: 'message',
      logger: createLogger('message', 'silent'),
      credentials: toolsNatsCredentials(),
    });
    responder = serveRpc(bus, chatRpcs.authorize, async () => {
      asked++;
      const answer: ChatAuthorization = {
        allowed,
        denial: allowed ? null : 'not_found',
        chatType: 'group',
        role: allowed ? 'member' : null,
        banned: false,
        shadowBanned: false,
        frozen: false,
        slowModeSeconds: 0,
        slowModeExempt: false,
        truncatedAt: null,
        peerId: null,
      };
      await sleep(delayMs);
      answered++;
      return answer;
    });
  });
  afterAll(async () => {
    responder?.unsubscribe();
    await bus?.nc.close();
    await isolation.cleanup();
  });
  beforeEach(() => {
    asked = 0;
    answered = 0;
    allowed = true;
    delayMs = 0;
  });

  it('when an answer is in use near the end of its life, then it is asked again in the background and sends never wait for it', async () => {
    const access = new ChatAccess(bus, TTL_MS, 2000);
    await access.require(APP, CHAT, USER, 'post');
    expect(asked).toBe(1);
    await sleep(TTL_MS * 0.45);
    await access.require(APP, CHAT, USER, 'post');
    expect(asked).toBe(1);

    // Past nine tenths of its life the answer is still served, and one refresh goes out however many sends there are.
    await sleep(TTL_MS * 0.5);
    delayMs = 300;
    const started = performance.now();
    await Promise.all([1, 2, 3].map(() => access.require(APP, CHAT, USER, 'post')));
    expect(performance.now() - started).toBeLessThan(delayMs);
    await waitFor(() => (answered === 2 ? true : undefined));
    expect(asked).toBe(2);

    // Past the first answer's lifetime the refreshed one is used: no question in the foreground.
    await sleep(TTL_MS * 0.2);
    const later = performance.now();
    await access.require(APP, CHAT, USER, 'post');
    expect(performance.now() - later).toBeLessThan(delayMs);
    expect(asked).toBe(2);
  });

  it('when the chat changes while a refresh is on its way, then its answer is dropped and the next send asks again', async () => {
    const access = new ChatAccess(bus, TTL_MS, 2000);
    await access.require(APP, CHAT, USER, 'post');
    await sleep(TTL_MS * 0.95);
    delayMs = 200;
    allowed = true;
    await access.require(APP, CHAT, USER, 'post');
    // The member is removed while the refresh (which still saw them) is answered.
    access.forgetChat(CHAT);
    allowed = false;
    await waitFor(() => (answered === 2 ? true : undefined));
    await sleep(20);
    await expect(access.require(APP, CHAT, USER, 'post')).rejects.toMatchObject({ status: 404 });
    expect(asked).toBe(3);
  });

  it('when an answer is not used again, then it expires at its time limit and the next use asks in the foreground', async () => {
    const access = new ChatAccess(bus, TTL_MS, 2000);
    await access.require(APP, CHAT, USER, 'post');
    await sleep(TTL_MS + 50);
    allowed = false;
    await expect(access.require(APP, CHAT, USER, 'post')).rejects.toMatchObject({ status: 404 });
    expect(asked).toBe(2);
  });
});
