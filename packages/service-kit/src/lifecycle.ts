import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { opsAppOf } from './http/app.js';
import { DependencyError } from './platform.js';
import type { Logger } from './logger.js';

/** What every `createService()` returns. */
export interface ServiceHandle {
  app: Express;
  /** Starts consumers and background work. */
  start(): Promise<void>;
  /** Stops them (connections are closed by whoever opened them). */
  stop(): Promise<void>;
  /** Called once the HTTP server listens (e.g. to attach a WebSocket server). */
  attach?(server: Server): void;
}

export interface Listening {
  server: Server;
  url: string;
  port: number;
  /** Stops accepting, lets in-flight requests finish (up to `timeoutMs`), then cuts the rest. */
  close(timeoutMs?: number): Promise<void>;
}

/** Request heads up to this size: a query naming 500 ids is about 18.5 KB, over Node's 16 KB default. */
const MAX_HEADER_BYTES = 32 * 1024;

export function listen(app: Express, port: number, host: string): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, app);
    server.listen(port, host);
    server.keepAliveTimeout = 65_000;
    server.once('error', reject);
    server.once('listening', () => {
      const address = server.address() as AddressInfo;
      resolve({
        server,
        port: address.port,
        url: `http://${host}:${address.port}`,
        close: (timeoutMs = 10_000) =>
          new Promise<void>((done) => {
            const force = setTimeout(() => server.closeAllConnections(), timeoutMs);
            force.unref();
            server.close(() => {
              clearTimeout(force);
              done();
            });
            server.closeIdleConnections();
          }),
      });
    });
  });
}

/** A built service with its open connections: what `boot(env)` of every service returns. */
export interface Booted {
  handle: ServiceHandle;
  logger: Logger;
  port: number;
  /** The ops listener's port (see `opsPortFor`). */
  opsPort: number;
  host: string;
  shutdownTimeoutMs: number;
  /** Closes the connections `boot` opened. */
  close(): Promise<void>;
}

export type BootFn = (env: Record<string, string | undefined>) => Promise<Booted>;

export interface MainOptions {
  service: string;
  boot: BootFn;
}

/**
 * The body of every `main.ts`: boot, listen, and on SIGTERM/SIGINT stop accepting, finish
 * in-flight requests, stop consumers, then drain NATS and close pools.
 */
export async function runMain(opts: MainOptions): Promise<void> {
  let booted: Booted;
  try {
    booted = await opts.boot(process.env);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`${opts.service}: cannot start: ${message}\n`);
    if (err instanceof DependencyError) process.stderr.write(`${opts.service}: start the local services with: bash infra/dev-services.sh\n`);
    process.exit(1);
  }
  const { handle, logger } = booted;
  await handle.start();
  const listening = await listen(handle.app, booted.port, booted.host);
  handle.attach?.(listening.server);
  const opsApp = opsAppOf(handle.app);
  const ops = opsApp ? await listen(opsApp, booted.opsPort, booted.host) : undefined;
  logger.info('listening', { url: listening.url, opsUrl: ops?.url });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    await listening.close(booted.shutdownTimeoutMs);
    await ops?.close(1000);
    await handle.stop();
    await booted.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
