import { type Stack } from '@chat/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { natsOf, newGroup, newUsers } from './helpers.js';
import { startRealtimeStack, wsUrl } from './stack.js';
import { WsClient } from './ws-client.js';

// Frames published here stand in for the services that publish them after commit.
let stack: Stack;
let url: string;
let nats: Awaited<ReturnType<typeof natsOf>>;
beforeAll(async () => {
  stack = await startRealtimeStack({ env: { WS_REORDER_WINDOW_MS: '200' } });
  url = wsUrl(stack.services.realtime!.url);
  nats = await natsOf(stack);
});
afterAll(async () => {
  WsClient.terminateAll();
  await nats?.close();
  await stack?.stop();
});

const logFrame = (chatId: string, seq: number, t = 'message.created', d: Record<string, unknown> = { n: seq }) => ({ op: 'event', t, chatId, seq, d });
const logEvents = (client: WsClient, chatId: string) => client.events(undefined, chatId).filter((f) => f.seq !== undefined);
const seqsOf = (client: WsClient, chatId: string) => logEvents(client, chatId).map((f) => f.seq);

async function member() {
  const [alice, bob] = await newUsers(stack, 2);
  const chatId = await newGroup(stack, alice!, [bob!]);
  const client = await WsClient.ready(url, bob!.accessToken);
  return { alice: alice!, bob: bob!, chatId, client };
}

describe('live fan-out', () => {
  it('when a service publishes a frame, then sockets get its bytes exactly as published', async () => {
    const { chatId, client, bob } = await member();
    const chatFrame = `{"op":"event",  "t":"message.created","chatId":"${chatId}","seq":1,"d":{"x":[1, 2]}}`;
    const userFrame = `{"op":"event","t":"unread.updated","chatId":"${chatId}","d":{"chatId":"${chatId}","unreadCount":3}}`;
    nats.publish(`rt.chat.${chatId}`, chatFrame);
    nats.publish(`rt.user.${bob.id}`, userFrame);
    await client.next((f) => f.t === 'unread.updated');
    expect(client.raw.filter((r) => !r.includes('chat.added')).slice(1)).toEqual([chatFrame, userFrame]);
  });

  it('when log frames are published out of order or twice, then each socket gets each seq once, in order', async () => {
    const { chatId, client } = await member();
    for (const seq of [1, 3, 2, 2, 5, 4, 6, 6]) nats.publish(`rt.chat.${chatId}`, logFrame(chatId, seq));
    await client.next((f) => f.seq === 6);
    await nats.nc.flush();
    nats.publish(`rt.chat.${chatId}`, logFrame(chatId, 7));
    await client.next((f) => f.seq === 7);
    expect(seqsOf(client, chatId)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('when a seq never comes, then the frames after the gap are delivered once the reorder window has passed', async () => {
    const { chatId, client } = await member();
    for (const seq of [1, 2, 4, 5]) nats.publish(`rt.chat.${chatId}`, logFrame(chatId, seq));
    await client.next((f) => f.seq === 5, 2000);
    expect(seqsOf(client, chatId)).toEqual([1, 2, 4, 5]);
  });

  it('when the chat log says the user was removed, then nothing after it reaches them until the log says they joined again', async () => {
    const { chatId, client, bob } = await member();
    nats.publish(`rt.chat.${chatId}`, logFrame(chatId, 1));
    nats.publish(`rt.chat.${chatId}`, logFrame(chatId, 2, 'member.removed', { userId: bob.id }));
    nats.publish(`rt.chat.${chatId}`, logFrame(chatId, 3));
    nats.publish(`rt.chat.${chatId}`, { op: 'event', t: 'typing', chatId, d: { userId: '0190f3c2-6a1e-7c3b-9d2f-1a2b3c4d5e6f', typing: true } });
    nats.publish(`rt.chat.${chatId}`, logFrame(chatId, 4, 'member.joined', { userId: bob.id }));
    nats.publish(`rt.chat.${chatId}`, logFrame(chatId, 5));
    await client.next((f) => f.seq === 5);
    expect(logEvents(client, chatId).map((f) => [f.seq, f.t])).toEqual([
      [1, 'message.created'],
      [2, 'member.removed'],
      [4, 'member.joined'],
      [5, 'message.created'],
    ]);
  });

  it('when a frame on a live subject is not a protocol event, then it is dropped and the socket carries on', async () => {
    const { chatId, client } = await member();
    nats.publish(`rt.chat.${chatId}`, 'not json');
    nats.publish(`rt.chat.${chatId}`, '{"no":"type"}');
    nats.publish(`rt.chat.${chatId}`, logFrame(chatId, 1));
    await client.next((f) => f.seq === 1);
    expect(logEvents(client, chatId)).toHaveLength(1);
  });
});
