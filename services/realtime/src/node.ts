import type { Server } from 'node:http';
import { messageRpcs } from '@chat/contracts';
import { type ClientAddress, RpcBatcher } from '@chat/service-kit';
import type { Subscription } from '@nats-io/transport-node';
import { watchBlocks } from './entry/blocks.js';
import { NodeDirectory } from './outbound/node-directory.js';
import { PresenceReporter } from './outbound/presence.js';
import { watchRevocations } from './entry/revocations.js';
import type { NodeContext } from './context.js';
import type { RealtimeDeps } from './deps.js';
import { Hub } from './hub/hub.js';
import { Delivery } from './primitives/delivery.js';
import { SocketServer } from './entry/server.js';

export interface RealtimeNode {
  attach(server: Server): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  sizes(): { sockets: { ready: number; pending: number; bufferedBytes: number }; subscriptions: { chat: number; user: number; presence: number } };
}

/** One realtime node: its sockets, its NATS interest and the sweeps that keep both honest. */
export function createRealtimeNode(deps: RealtimeDeps, clientAddress: ClientAddress): RealtimeNode {
  const delivery = new Delivery(deps.config, deps.metrics);
  const node: NodeContext = {
    deps,
    delivery,
    hub: new Hub(deps, delivery),
    presence: new PresenceReporter(deps),
    sends: new RpcBatcher(deps.bus, messageRpcs.send, deps.config.RPC_TIMEOUT_MS),
  };
  const server = new SocketServer(node, clientAddress);
  const directory = new NodeDirectory(deps, () => server.sockets.size);
  let revocations: Subscription | undefined;
  let blocks: Subscription | undefined;
  return {
    attach(http) {
      server.attach(http);
      directory.listening(http);
      // The HTTP server waits for upgraded sockets before it calls back from close(): say goodbye to them as it starts closing.
      const close = http.close.bind(http);
      http.close = ((callback?: (err?: Error) => void) => {
        // Out of the directory first, so no client is sent here while the node drains.
        void directory.stop();
        void server.goAway();
        return close(callback);
      }) as typeof http.close;
    },
    async start() {
      revocations = watchRevocations(deps, server.sockets, delivery);
      blocks = watchBlocks(deps, node.hub);
      server.start();
    },
    async stop() {
      await directory.stop();
      await server.goAway();
      server.stop();
      revocations?.unsubscribe();
      blocks?.unsubscribe();
      node.hub.clear();
      await node.presence.settle();
    },
    sizes: () => ({ sockets: server.sizes(), subscriptions: node.hub.sizes() }),
  };
}
