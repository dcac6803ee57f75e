import { type ClientOp, type ClientOpName, presenceRpcs } from '@chat/contracts';
import { AppError, callRpc } from '@chat/service-kit';
import type { NodeContext } from '../context.js';
import type { LiveSocket } from '../primitives/live-socket.js';

type Data<O extends ClientOpName> = ClientOp<O>['d'];

export async function setPresence(node: NodeContext, sock: LiveSocket, d: Data<'presence.set'>) {
  const { bus, config } = node.deps;
  await callRpc(bus, presenceRpcs.set, { appId: sock.appId, userId: sock.userId, ...d }, config.RPC_TIMEOUT_MS);
  return {};
}

/**
 * Presence of the users now, then their changes live. Users the presence service hides from the
 * viewer (unknown, deleted, of another app, a block either way) come back offline and are not
 * watched; so are those a block reached this node for while the answer was on its way.
 */
export async function subscribePresence(node: NodeContext, sock: LiveSocket, d: Data<'presence.subscribe'>) {
  const { bus, config } = node.deps;
  const fresh = d.userIds.filter((id) => !sock.watching?.has(id)).length;
  if ((sock.watching?.size ?? 0) + fresh > config.WS_PRESENCE_WATCH_MAX) {
    throw new AppError(400, 'validation_failed', `at most ${config.WS_PRESENCE_WATCH_MAX} watched users per connection`);
  }
  const asked = node.hub.blocksSeen;
  const answer = await callRpc(bus, presenceRpcs.watch, { appId: sock.appId, viewerId: sock.userId, userIds: d.userIds }, config.RPC_TIMEOUT_MS);
  const hide = new Set(answer.hidden);
  const late = new Set<string>();
  for (const [id, at] of sock.barred ?? []) if (at > asked && !hide.has(id)) late.add(id);
  for (const id of late) hide.add(id);
  node.hub.unwatch(sock, hide);
  node.hub.watch(
    sock,
    d.userIds.filter((id) => !hide.has(id)),
  );
  // The subscriptions are live at the server before the client hears it is subscribed.
  await bus.nc.flush();
  const presences =
    late.size === 0 ? answer.presences : answer.presences.map((p) => (late.has(p.userId) ? { userId: p.userId, status: 'offline' as const } : p));
  return { presences };
}

export async function unsubscribePresence(node: NodeContext, sock: LiveSocket, d: Data<'presence.unsubscribe'>) {
  node.hub.unwatch(sock, d.userIds);
  return { presences: [] };
}

export function typing(on: boolean) {
  return async (node: NodeContext, sock: LiveSocket, d: Data<'typing.start'>) => {
    const { bus, config } = node.deps;
    await callRpc(bus, presenceRpcs.typing, { appId: sock.appId, chatId: d.chatId, userId: sock.userId, typing: on }, config.RPC_TIMEOUT_MS);
    return {};
  };
}
