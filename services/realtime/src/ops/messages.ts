import { type ClientOp, type ClientOpName, messageRpcs } from '@chat/contracts';
import { callRpc, callRpcForJson } from '@chat/service-kit';
import type { NodeContext } from '../context.js';
import type { LiveSocket } from '../primitives/live-socket.js';
import { AckJson } from './ack-json.js';

// Writes go to the message service over rpc: the same domain code and rules as the REST routes.
type Data<O extends ClientOpName> = ClientOp<O>['d'];

const caller = (sock: LiveSocket) => ({ appId: sock.appId, userId: sock.userId });

export async function sendMessage(node: NodeContext, sock: LiveSocket, d: Data<'message.send'>) {
  const { chatId, ...body } = d;
  // Batched with the node's other sends of the moment; the reply's `{ message, created }` is the
  // ack as it is, passed on without parsing it here.
  return new AckJson(await node.sends.callForJson({ ...caller(sock), chatId, body }));
}

export async function editMessage(node: NodeContext, sock: LiveSocket, d: Data<'message.edit'>) {
  const { bus, config } = node.deps;
  return new AckJson(await callRpcForJson(bus, messageRpcs.edit, { ...caller(sock), messageId: d.messageId, body: { text: d.text } }, config.RPC_TIMEOUT_MS));
}

export async function deleteMessage(node: NodeContext, sock: LiveSocket, d: Data<'message.delete'>) {
  const { bus, config } = node.deps;
  await callRpc(bus, messageRpcs.delete, { ...caller(sock), messageId: d.messageId, for: d.for }, config.RPC_TIMEOUT_MS);
  return {};
}

export function react(add: boolean) {
  return async (node: NodeContext, sock: LiveSocket, d: Data<'reaction.add'>) => {
    const { bus, config } = node.deps;
    await callRpc(bus, messageRpcs.react, { ...caller(sock), messageId: d.messageId, emoji: d.emoji, add }, config.RPC_TIMEOUT_MS);
    return {};
  };
}

export function mark(kind: 'read' | 'delivered') {
  return async (node: NodeContext, sock: LiveSocket, d: Data<'read'>) => {
    const { bus, config } = node.deps;
    await callRpc(bus, messageRpcs.mark, { ...caller(sock), chatId: d.chatId, kind, seq: d.seq }, config.RPC_TIMEOUT_MS);
    return {};
  };
}
