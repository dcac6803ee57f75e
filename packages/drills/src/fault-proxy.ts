// A small TCP proxy in front of the gateway that loses answers: the request reaches the server
// (which commits), and the connection is cut the moment the answer comes back, so the client
// never learns the outcome and has to retry.
import { type Server, type Socket, createConnection, createServer } from 'node:net';

export class FaultProxy {
  /** Share of answers to cut (0..1). */
  dropRate = 0;
  /** Answers cut so far. */
  dropped = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static start(target: string): Promise<FaultProxy> {
    const { hostname, port } = new URL(target);
    return new Promise((resolve) => {
      let proxy: FaultProxy;
      const server = createServer((client) => {
        const upstream = createConnection({ host: hostname, port: Number(port) });
        for (const s of [client, upstream]) {
          proxy.sockets.add(s);
          s.once('close', () => proxy.sockets.delete(s));
          s.on('error', () => {});
        }
        client.pipe(upstream);
        upstream.on('data', (chunk) => {
          if (Math.random() < proxy.dropRate) {
            proxy.dropped += 1;
            client.destroy();
            upstream.destroy();
            return;
          }
          client.write(chunk);
        });
        upstream.once('close', () => client.destroy());
        client.once('close', () => upstream.destroy());
      });
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        const listenPort = typeof address === 'object' && address ? address.port : 0;
        proxy = new FaultProxy(server, `http://127.0.0.1:${listenPort}`);
        resolve(proxy);
      });
    });
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
