import { LiveEvent } from './live.js';
import { LogEventType } from './message.js';
import { AckFrame, type ClientOpName, ErrorFrame, PongFrame, REALTIME_FRAME_MAX_BYTES, ReadyFrame, clientOps, opAcks } from './realtime.js';
import { z } from './zod.js';

type JsonSchema = Record<string, unknown>;

/** JSON Schema draft-07 (the AsyncAPI schema format's base) of a zod schema: what a client sends is its input, what it gets the output. */
function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _draft, ...json } = z.toJSONSchema(schema, { target: 'draft-7', io, unrepresentable: 'any' }) as JsonSchema;
  return json;
}

/** `message.send` → `messageSend`: the key of an op's message and operation. */
const keyOf = (op: string) => op.replace(/\.(\w)/g, (_m, c: string) => c.toUpperCase());
const ref = (path: string) => ({ $ref: path });
const channelRef = ref('#/channels/ws');
const messageRef = (key: string) => ref(`#/channels/ws/messages/${key}`);

const OP_SUMMARIES: Record<ClientOpName, string> = {
  auth: 'Authenticate with an access token: the first frame (within 5 s) when the upgrade carried no Authorization header, answered by ready; after ready, renews the socket token (ack `{ expiresAt }`)',
  ping: 'Heartbeat, at least every heartbeatIntervalMs; a socket silent for two intervals is closed',
  sync: 'Replay the log events missed since the given seq of each chat, then ack',
  'message.send': 'Send a message (same body as POST /chats/:id/messages plus chatId; idempotent on clientMessageId)',
  'message.edit': 'Edit a message text',
  'message.delete': 'Delete a message for me or for everyone',
  'reaction.add': 'React to a message',
  'reaction.remove': 'Remove a reaction',
  read: 'Mark a chat read up to seq',
  delivered: 'Mark a chat delivered up to seq',
  'typing.start': 'Start typing in a chat (stops by itself after 10 s without renewal)',
  'typing.stop': 'Stop typing in a chat',
  'presence.set': "Set the caller's status and custom status",
  'presence.subscribe': 'Watch the presence of users (at most 500)',
  'presence.unsubscribe': 'Stop watching the presence of users',
};

const EVENT_DESCRIPTION = `A server push. Chat-log events carry \`chatId\` and \`seq\` (within a chat, seq grows by exactly 1 from one log event to the next): ${LogEventType.options.map((t) => `\`${t}\``).join(', ')}. Ephemeral and per-user events carry no seq: \`typing\`, \`read.updated\`, \`delivered.updated\`, \`presence\`, \`chat.added\`, \`chat.removed\`, \`chat.settings\`, \`draft.updated\`, \`session.revoked\`, \`unread.updated\`.`;

function clientMessages() {
  return Object.fromEntries(
    (Object.keys(clientOps) as ClientOpName[]).map((op) => [
      keyOf(op),
      { name: op, title: op, summary: OP_SUMMARIES[op], payload: schemaOf(clientOps[op], 'input') },
    ]),
  );
}

/** The ack of each op with its own ack data (the others ack `{}`). */
function ackMessages() {
  return Object.fromEntries(
    Object.entries(opAcks).map(([op, d]) => [
      `${keyOf(op)}Ack`,
      { name: 'ack', title: `${op} ack`, summary: `The answer to ${op}`, payload: schemaOf(AckFrame.extend({ d }), 'output') },
    ]),
  );
}

const serverMessages = {
  ready: { name: 'ready', title: 'ready', summary: 'Sent once the socket is authenticated', payload: schemaOf(ReadyFrame, 'output') },
  pong: { name: 'pong', title: 'pong', summary: 'The answer to ping', payload: schemaOf(PongFrame, 'output') },
  ack: { name: 'ack', title: 'ack', summary: 'The success answer to a request, with its ref', payload: schemaOf(AckFrame, 'output') },
  error: {
    name: 'error',
    title: 'error',
    summary: 'The failure answer to a request (or to a frame that is not one), with its ref; `code` is a REST error code',
    payload: schemaOf(ErrorFrame, 'output'),
    examples: [{ name: 'forbidden', payload: { op: 'error', ref: 'c-17', error: { code: 'forbidden', message: 'not a member' } } }],
  },
  event: {
    name: 'event',
    title: 'event',
    summary: 'A live event of a chat or of the user',
    description: EVENT_DESCRIPTION,
    payload: schemaOf(LiveEvent, 'output'),
    examples: [
      {
        name: 'typing',
        payload: {
          op: 'event',
          t: 'typing',
          chatId: '0190f3c2-6a1e-7c3b-9d2f-00000000c4a7',
          d: { userId: '0190f3c2-6a1e-7c3b-9d2f-000000000b0b', typing: true },
        },
      },
    ],
  },
};

function repliesOf(op: ClientOpName): string[] {
  if (op === 'auth') return ['ready', 'ack', 'error'];
  if (op === 'ping') return ['pong'];
  return [op in opAcks ? `${keyOf(op)}Ack` : 'ack', 'error'];
}

function sendOperations() {
  return Object.fromEntries(
    (Object.keys(clientOps) as ClientOpName[]).map((op) => [
      keyOf(op),
      {
        action: 'send',
        channel: channelRef,
        summary: OP_SUMMARIES[op],
        messages: [messageRef(keyOf(op))],
        reply: { channel: channelRef, messages: repliesOf(op).map(messageRef) },
      },
    ]),
  );
}

/**
 * The AsyncAPI 3 document of the WebSocket protocol, generated from the same zod schemas the
 * realtime service validates frames with. It describes a client: it sends the ops and receives
 * the frames.
 */
export function buildAsyncApiDocument() {
  const messages = { ...clientMessages(), ...ackMessages(), ...serverMessages };
  return {
    asyncapi: '3.1.0',
    info: {
      title: 'Chat realtime protocol',
      version: '1.0.0',
      description: `WebSocket protocol v1: JSON text frames of at most ${REALTIME_FRAME_MAX_BYTES} bytes on \`GET /ws\` (the gateway proxies the upgrade to a realtime node). Every request may carry a client-chosen \`ref\`, echoed by the one \`ack\` or \`error\` frame that answers it. Close codes: 1001 going away (reconnect and sync), 1009 frame too big, 4001 unauthorized, 4008 slow consumer, 4029 rate limited. REST: /openapi.json.`,
    },
    defaultContentType: 'application/json',
    channels: {
      ws: {
        address: '/ws',
        title: 'The WebSocket',
        description: 'Authenticate with `Authorization: Bearer <accessToken>` on the upgrade, or with an `auth` frame first.',
        messages: Object.fromEntries(Object.keys(messages).map((key) => [key, ref(`#/components/messages/${key}`)])),
      },
    },
    operations: {
      ...sendOperations(),
      receiveReady: { action: 'receive', channel: channelRef, summary: 'The socket is authenticated', messages: [messageRef('ready')] },
      receiveEvent: { action: 'receive', channel: channelRef, summary: 'Live events of the chats and of the user', messages: [messageRef('event')] },
      receiveError: {
        action: 'receive',
        channel: channelRef,
        summary: 'A frame that was not a valid request (bad JSON, unknown op)',
        messages: [messageRef('error')],
      },
    },
    components: { messages },
  };
}
