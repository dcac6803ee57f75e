import type { ClientOp, ClientOpName } from '@chat/contracts';
import type { NodeContext } from '../context.js';
import type { LiveSocket } from '../primitives/live-socket.js';
import { renewToken } from './auth.js';
import { deleteMessage, editMessage, mark, react, sendMessage } from './messages.js';
import { setPresence, subscribePresence, typing, unsubscribePresence } from './presence.js';
import { sync } from './sync.js';

/** Ops answered by the node itself, outside this table: `ping`, and `auth` before ready (after it, `auth` renews the token). */
export type RequestOpName = Exclude<ClientOpName, 'ping'>;

export type OpHandler<O extends RequestOpName> = (node: NodeContext, sock: LiveSocket, d: ClientOp<O>['d']) => Promise<object>;

/** Every request op of the protocol and what answers it (the result is the ack's `d`). */
export const opHandlers: { [O in RequestOpName]: OpHandler<O> } = {
  auth: renewToken,
  sync,
  'message.send': sendMessage,
  'message.edit': editMessage,
  'message.delete': deleteMessage,
  'reaction.add': react(true),
  'reaction.remove': react(false),
  read: mark('read'),
  delivered: mark('delivered'),
  'typing.start': typing(true),
  'typing.stop': typing(false),
  'presence.set': setPresence,
  'presence.subscribe': subscribePresence,
  'presence.unsubscribe': unsubscribePresence,
};
