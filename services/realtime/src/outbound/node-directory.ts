import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RealtimeDeps } from '../deps.js';
import { forgetNode, reportNode } from '../store/nodes.store.js';

/** A node's entry lapses after this many missed reports. */
const LAPSE_AFTER_REPORTS = 3;

/**
 * Keeps this node in the directory clients read from `GET /realtime`: its public WebSocket URL
 * (`REALTIME_PUBLIC_URL`, else the address it listens on) and its socket count, rewritten every
 * `NODE_REPORT_INTERVAL_MS` (one Redis write per node, whatever its number of sockets).
 */
export class NodeDirectory {
  private timer: ReturnType<typeof setInterval> | undefined;
  private url: string | undefined;

  constructor(
    private readonly deps: Pick<RealtimeDeps, 'config' | 'redis' | 'keys' | 'logger'>,
    private readonly connections: () => number,
  ) {}

  /** Called once the HTTP server listens: its port decides the default public URL. */
  listening(server: Server): void {
    const { config } = this.deps;
    if (!config.REALTIME_LISTED) return;
    const port = (server.address() as AddressInfo | null)?.port ?? config.PORT;
    const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
    this.url = config.REALTIME_PUBLIC_URL ?? `ws://${host}:${port}/ws`;
    this.report();
    this.timer = setInterval(() => this.report(), config.NODE_REPORT_INTERVAL_MS).unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.url) await forgetNode(this.deps.redis, this.deps.keys, this.deps.config.NODE_ID).catch(() => {});
  }

  private report(): void {
    const { config, redis, keys, logger } = this.deps;
    if (!this.url) return;
    const ttlMs = config.NODE_REPORT_INTERVAL_MS * LAPSE_AFTER_REPORTS;
    reportNode(redis, keys, config.NODE_ID, { url: this.url, connections: this.connections() }, ttlMs).catch((err: Error) =>
      logger.warn('node report failed', { err: err.message }),
    );
  }
}
