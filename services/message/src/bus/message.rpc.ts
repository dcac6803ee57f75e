import { EditMessageBody, ReactionBody, SendMessageBody, messageRpcs } from '@chat/contracts';
import { JsonText, type RpcHandler, parseInput, rejectNulCharacters, rpcReplyBudget, serveRpc, serveRpcBatch } from '@chat/service-kit';
import type { Subscription } from '@nats-io/transport-node';
import type { MessageDeps } from '../deps.js';
import { deleteMessage, editMessage, react } from '../domain/changes.js';
import { getChatHeads } from '../domain/heads.js';
import { markChat } from '../domain/read-state.js';
import { getEvents, getSentMessages } from '../domain/reads.js';
import { sendMessage } from '../domain/send.js';

/** Validates an rpc-borne body exactly as the REST route validates its JSON body. */
function bodyOf<S extends Parameters<typeof parseInput>[0]>(schema: S, body: unknown) {
  rejectNulCharacters(body);
  return parseInput(schema, body);
}

/** The WebSocket ops and the chat list, over rpc: each runs the same domain function as its REST route. */
export function serveMessageRpcs(deps: MessageDeps): Subscription[] {
  const { bus } = deps.platform;
  const send: RpcHandler<typeof messageRpcs.send> = async (q) => {
    const { message, created, json } = await sendMessage(deps, q, q.chatId, bodyOf(SendMessageBody, q.body));
    return json ? new JsonText(`{"message":${json},"created":${created}}`) : { message, created };
  };
  return [
    serveRpc(bus, messageRpcs.eventsSince, (q) => getEvents(deps, q, q.chatId, q.after, q.limit, rpcReplyBudget(bus))),
    serveRpc(bus, messageRpcs.send, send),
    // Realtime nodes send the sends of one moment together.
    serveRpcBatch(bus, messageRpcs.send, send),
    serveRpc(bus, messageRpcs.edit, async (q) => ({ message: await editMessage(deps, q, q.messageId, bodyOf(EditMessageBody, q.body).text) })),
    serveRpc(bus, messageRpcs.delete, async (q) => {
      await deleteMessage(deps, q, q.messageId, q.for);
      return {};
    }),
    serveRpc(bus, messageRpcs.react, async (q) => {
      await react(deps, q, q.messageId, bodyOf(ReactionBody, { emoji: q.emoji }).emoji, q.add);
      return {};
    }),
    serveRpc(bus, messageRpcs.mark, async (q) => {
      await markChat(deps, q, q.chatId, q.kind, q.seq);
      return {};
    }),
    serveRpc(bus, messageRpcs.userMessages, (q) => getSentMessages(deps, q, q.after, q.limit)),
    serveRpc(bus, messageRpcs.chatHeads, async (q) => ({ heads: await getChatHeads(deps, q, q.chatIds) })),
  ];
}
