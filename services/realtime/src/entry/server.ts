import { type IncomingMessage, STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { CloseCode, REALTIME_FRAME_MAX_BYTES } from '@chat/contracts';
import { type ClientAddress, newId } from '@chat/service-kit';
import { type RawData, type Server as WsServer, type WebSocket, WebSocketServer } from 'ws';
import { allowedOrigins } from '../config.js';
import type { NodeContext } from '../context.js';
import { releaseConnection, renewConnections } from '../store/connections.store.js';
import { type AuthHooks, authenticate, connectionTtlMs } from './authenticate.js';
import { Inbound } from './inbound.js';
import { LiveSocket, SocketState } from '../primitives/live-socket.js';
import { PendingSockets } from './pending-sockets.js';

const PATHS = new Set(['/ws', '/']);
/**
 * Presence heartbeats go out in this many slices per interval, so a node's sockets are renewed a
 * few at a time rather than all at once (a burst of thousands of renewals every interval showed
 * as a latency spike for every message in flight).
 */
const HEARTBEAT_SLICES = 15;

function refuse(socket: Duplex, status: number): void {
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function bearer(header: string | undefined): string | undefined {
  return header ? /^Bearer ([A-Za-z0-9_.-]+)$/.exec(header)?.[1] : undefined;
}

/**
 * The node's WebSocket endpoint: upgrades, the sockets' shared listeners (one set per node, not per
 * socket), and the sweeps for authentication deadlines, token expiry, silent sockets and presence heartbeats.
 */
export class SocketServer {
  readonly sockets = new Set<LiveSocket>();
  private readonly wss: WsServer<typeof LiveSocket>;
  private readonly inbound: Inbound;
  private readonly origins: Set<string> | 'any';
  private readonly pending: PendingSockets;
  private readonly authHooks: AuthHooks;
  private readonly timers: NodeJS.Timeout[] = [];
  private goingAway: Promise<void> | undefined;
  private heartbeatTick = 0;
  private nextSlice = 0;
  private readonly listeners: {
    message: (this: WebSocket, data: RawData, isBinary: boolean) => void;
    ping: (this: WebSocket) => void;
    close: (this: WebSocket) => void;
    error: (this: WebSocket) => void;
  };

  constructor(
    private readonly node: NodeContext,
    private readonly clientAddress: ClientAddress,
  ) {
    const { config } = node.deps;
    this.origins = allowedOrigins(config);
    this.pending = new PendingSockets(config.WS_MAX_UNAUTHENTICATED_PER_IP);
    this.wss = new WebSocketServer<typeof LiveSocket>({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: REALTIME_FRAME_MAX_BYTES,
      WebSocket: LiveSocket,
    });
    this.authHooks = {
      verified: (sock) => this.pending.release(sock),
      ready: (sock) => this.inbound.drainEarly(sock),
    };
    this.inbound = new Inbound(node, (sock, token) => authenticate(node, sock, token, this.authHooks));
    const self = this;
    this.listeners = {
      message(data, isBinary) {
        self.inbound.onFrame(this as LiveSocket, data as Buffer, isBinary);
      },
      ping() {
        (this as LiveSocket).lastSeenAt = Date.now();
      },
      close() {
        self.closed(this as LiveSocket);
      },
      // A protocol error (e.g. a frame over the limit): ws has sent the close frame (1009) and reads no more.
      error() {
        self.node.delivery.abandon(this as LiveSocket);
      },
    };
  }

  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
  }

  start(): void {
    const { config } = this.node.deps;
    const sweepMs = Math.max(50, Math.min(1000, config.WS_HEARTBEAT_INTERVAL_MS / 4, config.WS_AUTH_TIMEOUT_MS / 4));
    this.timers.push(setInterval(() => this.sweep(), sweepMs).unref());
    this.timers.push(setInterval(() => this.heartbeat(), config.PRESENCE_HEARTBEAT_MS / HEARTBEAT_SLICES).unref());
  }

  /** Stops accepting and closes every socket with 1001; the ones that never answer are destroyed. */
  goAway(): Promise<void> {
    this.goingAway ??= (async () => {
      for (const sock of this.sockets) this.node.delivery.close(sock, CloseCode.goingAway, 'server going away');
      const deadline = Date.now() + this.node.deps.config.WS_CLOSE_GRACE_MS + 100;
      while (this.sockets.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const sock of this.sockets) sock.terminate();
    })();
    return this.goingAway;
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers.length = 0;
  }

  /** Sockets by state, and the bytes written to them that their connections have not sent yet (read when scraped). */
  sizes() {
    let ready = 0;
    let bufferedBytes = 0;
    for (const sock of this.sockets) {
      if (sock.state === SocketState.Ready) ready += 1;
      bufferedBytes += sock.bufferedAmount;
    }
    return { ready, pending: this.sockets.size - ready, bufferedBytes };
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!PATHS.has((req.url ?? '/').split('?')[0]!)) return refuse(socket, 404);
    if (this.goingAway) return refuse(socket, 503);
    const origin = req.headers.origin;
    if (origin && this.origins !== 'any' && !this.origins.has(origin)) return refuse(socket, 403);
    const address = this.clientAddress(req);
    if (!this.pending.admits(address)) {
      this.node.deps.metrics.refused('ws-unauthenticated-per-ip');
      return refuse(socket, 429);
    }
    // ws completes the upgrade synchronously (no verifyClient, no deflate): admitted and counted in one turn.
    this.wss.handleUpgrade(req, socket, head, (sock) => this.connected(sock, req, address));
  }

  private connected(sock: LiveSocket, req: IncomingMessage, address: string): void {
    const now = Date.now();
    this.pending.count(sock, address);
    sock.connectionId = newId();
    sock.openedAt = now;
    sock.lastSeenAt = now;
    sock.tokensAt = now;
    sock.tokens = this.node.deps.config.WS_OPS_BURST;
    sock.heartbeatSlice = this.nextSlice++ % HEARTBEAT_SLICES;
    this.sockets.add(sock);
    sock.on('message', this.listeners.message);
    sock.on('ping', this.listeners.ping);
    sock.on('close', this.listeners.close);
    sock.on('error', this.listeners.error);
    const header = req.headers.authorization;
    const token = bearer(header);
    if (token) void authenticate(this.node, sock, token, this.authHooks);
    else if (header !== undefined) this.node.delivery.close(sock, CloseCode.unauthorized, 'unauthorized');
  }

  private closed(sock: LiveSocket): void {
    const { deps, hub, presence } = this.node;
    this.sockets.delete(sock);
    this.pending.release(sock);
    sock.state = SocketState.Closing;
    hub.forget(sock);
    sock.runs = undefined;
    sock.replaying = undefined;
    sock.early = undefined;
    if (sock.counted) {
      sock.counted = false;
      releaseConnection(deps.redis, deps.keys, sock).catch((err: Error) => deps.logger.warn('connection release failed', { err: err.message }));
    }
    if (sock.announced) presence.disconnected(sock);
  }

  private sweep(): void {
    const { config } = this.node.deps;
    const now = Date.now();
    const silentAfter = config.WS_HEARTBEAT_INTERVAL_MS * 2;
    for (const sock of this.sockets) {
      if (sock.state === SocketState.Closing) continue;
      if (sock.state === SocketState.AwaitingAuth && now - sock.openedAt > config.WS_AUTH_TIMEOUT_MS)
        this.node.delivery.close(sock, CloseCode.unauthorized, 'authentication timeout');
      else if (sock.expiresAt > 0 && now >= sock.expiresAt) this.node.delivery.close(sock, CloseCode.unauthorized, 'token expired');
      else if (now - sock.lastSeenAt > silentAfter) this.node.delivery.close(sock, CloseCode.heartbeatTimeout, 'heartbeat timeout');
    }
  }

  /** Renews one slice of the ready sockets: each socket once per `PRESENCE_HEARTBEAT_MS`, the node's sockets spread over it. */
  private heartbeat(): void {
    const { deps, presence } = this.node;
    const slice = this.heartbeatTick++ % HEARTBEAT_SLICES;
    const ready = [...this.sockets].filter((s) => s.state === SocketState.Ready && s.heartbeatSlice === slice);
    if (ready.length === 0) return;
    presence.heartbeat(ready);
    const counted = ready.filter((s) => s.counted);
    renewConnections(deps.redis, deps.keys, counted, connectionTtlMs(deps.config.PRESENCE_HEARTBEAT_MS)).catch((err: Error) =>
      deps.logger.warn('connection renewal failed', { err: err.message }),
    );
  }
}
