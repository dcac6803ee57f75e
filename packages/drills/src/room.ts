// The cast of a drill: users, one group chat, receivers (chat clients recording what they show)
// and numbered sends that go into the ledger.
import { randomBytes } from 'node:crypto';
import { ApiError, ChatClient, type ChatClientOptions, RestClient } from '@chat/client/node';
import type { Ledger } from './ledger.js';
import type { DrillStack } from './stack.js';
import { pool, sleep } from './util.js';

export interface Member {
  id: string;
  /** The drill's label for this member. */
  name: string;
  username: string;
  accessToken: string;
  refreshToken: string;
}

export interface Room {
  chatId: string;
  owner: Member;
  members: Member[];
  /** The chat's last seq once everyone was in: drills count from here. */
  startSeq: number;
}

const PASSWORD = 'drill password 123';

export async function newMember(stack: DrillStack, label: string): Promise<Member> {
  const rest = new RestClient({ baseUrl: stack.gatewayUrl });
  const username = `${label}_${randomBytes(4).toString('hex')}`;
  const result = await rest.register({ username, password: PASSWORD });
  return { id: result.user.id, name: label, username, accessToken: result.tokens.accessToken, refreshToken: result.tokens.refreshToken };
}

/** A group of `size` members (the first is the owner). */
export async function newRoom(stack: DrillStack, size: number, label = 'm'): Promise<Room> {
  const members = await pool(size, 8, (i) => newMember(stack, `${label}${i}`));
  const owner = members[0]!;
  const rest = restFor(stack, owner);
  const chat = await rest.createChat({ type: 'group', name: 'Drill room', memberIds: members.slice(1, 200).map((m) => m.id) });
  for (let i = 200; i < members.length; i += 100) await rest.addMembers(chat.id, { userIds: members.slice(i, i + 100).map((m) => m.id) });
  const startSeq = (await rest.getChat(chat.id)).lastSeq;
  return { chatId: chat.id, owner, members, startSeq };
}

export function restFor(stack: DrillStack, member: Member, baseUrl = stack.gatewayUrl): RestClient {
  return new RestClient({ baseUrl, tokens: { accessToken: member.accessToken, refreshToken: member.refreshToken } });
}

export function clientFor(stack: DrillStack, member: Member, options: Partial<ChatClientOptions> = {}): ChatClient {
  return new ChatClient({
    baseUrl: stack.gatewayUrl,
    tokens: { accessToken: member.accessToken, refreshToken: member.refreshToken },
    reconnectMinMs: 100,
    reconnectMaxMs: 2000,
    ...options,
  });
}

/**
 * A client that follows the room from `startSeq` and writes every message frame off the wire and
 * every event it shows into the ledger under `name`.
 */
export async function openReceiver(
  stack: DrillStack,
  room: Room,
  member: Member,
  ledger: Ledger,
  name: string,
  options: Partial<ChatClientOptions> = {},
): Promise<ChatClient> {
  const client = clientFor(stack, member, options);
  ledger.receiver(name);
  client.on('frame', (frame) => {
    if (frame.op === 'event' && frame.t === 'message.created' && frame.chatId === room.chatId) ledger.onWire(name);
  });
  client.on('event', (event) => {
    if (event.chatId !== room.chatId) return;
    const message = event.d.message as { id?: string; text?: string } | undefined;
    // A message's first word is its number; the rest (if any) is padding.
    ledger.onShown(name, { seq: event.seq, t: event.t, messageId: message?.id, text: message?.text?.split(' ')[0] });
  });
  client.on('error', () => {});
  client.track(room.chatId, room.startSeq);
  await client.connect();
  return client;
}

export interface SendOutcome {
  id: string;
  seq: number;
}

/**
 * Sends message `n` of `sender` over REST, repeating it with the same `clientMessageId` after any
 * retryable failure (a lost answer, a 5xx, a refused connection) until `deadline`. An explicit
 * refusal is written down as such; a message never answered stays pending in the ledger.
 */
export async function sendNumbered(
  rest: RestClient,
  ledger: Ledger,
  chatId: string,
  sender: string,
  n: number,
  opts: { deadline?: number; pad?: string } = {},
): Promise<SendOutcome | undefined> {
  const deadline = opts.deadline ?? Date.now() + 120_000;
  const text = opts.pad ? `${ledger.attempt(sender, n)} ${opts.pad}` : ledger.attempt(sender, n);
  const clientMessageId = `${sender}-${n}`;
  for (let attempt = 0; ; attempt++) {
    try {
      const message = await rest.sendMessage(chatId, { text, clientMessageId });
      ledger.ack(sender, n, message);
      return { id: message.id, seq: message.seq };
    } catch (err) {
      ledger.failedAttempt(err instanceof ApiError ? err.status : 0);
      const retryable = err instanceof ApiError ? err.retryable : true;
      if (!retryable) {
        ledger.refuse(sender, n);
        return undefined;
      }
      if (Date.now() > deadline) return undefined;
      await sleep(Math.min(1000, 50 * 2 ** Math.min(attempt, 5)));
    }
  }
}

/** The same over a chat client's socket (the client retries on its own). */
export async function sendNumberedLive(client: ChatClient, ledger: Ledger, chatId: string, sender: string, n: number): Promise<SendOutcome | undefined> {
  const text = ledger.attempt(sender, n);
  try {
    const message = await client.send(chatId, { text, clientMessageId: `${sender}-${n}` });
    ledger.ack(sender, n, message);
    return { id: message.id, seq: message.seq };
  } catch {
    ledger.refuse(sender, n);
    return undefined;
  }
}

/** Waits until every client holds the chat's log up to `seq` (or the time is up). */
export async function caughtUp(clients: ChatClient[], chatId: string, seq: number, timeoutMs = 60_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (clients.every((c) => (c.cursor(chatId) ?? 0) >= seq)) return true;
    await sleep(50);
  }
  return false;
}

/** The chat's last committed seq, read through the API. */
export async function lastSeqOf(stack: DrillStack, room: Room): Promise<number> {
  return (await restFor(stack, room.owner).getChat(room.chatId)).lastSeq;
}
