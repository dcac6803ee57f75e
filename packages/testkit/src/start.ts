import { type BootFn, type Booted, listen, opsAppOf } from '@chat/service-kit';

export interface RunningService {
  url: string;
  /** The ops listener: /health, /ready, /metrics. */
  opsUrl: string;
  booted: Booted;
  stop(): Promise<void>;
}

/** Boots a service in-process on a random port (or `port`), exactly as its `main.ts` would. */
export async function startService(boot: BootFn, env: Record<string, string>, port = 0): Promise<RunningService> {
  const booted = await boot({ ...env, PORT: String(port), OPS_PORT: '0' });
  await booted.handle.start();
  const listening = await listen(booted.handle.app, port, '127.0.0.1');
  booted.handle.attach?.(listening.server);
  const ops = await listen(opsAppOf(booted.handle.app) ?? booted.handle.app, 0, '127.0.0.1');
  let stopped = false;
  return {
    url: listening.url,
    opsUrl: ops.url,
    booted,
    async stop() {
      if (stopped) return;
      stopped = true;
      await listening.close(500);
      await ops.close(100);
      await booted.handle.stop();
      await booted.close();
    },
  };
}
