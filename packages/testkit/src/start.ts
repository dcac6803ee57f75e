import { type BootFn, type Booted, listen } from '@chat/service-kit';

export interface RunningService {
  url: string;
  booted: Booted;
  stop(): Promise<void>;
}

/** Boots a service in-process on a random port, exactly as its `main.ts` would. */
export async function startService(boot: BootFn, env: Record<string, string>): Promise<RunningService> {
  const booted = await boot({ ...env, PORT: '0' });
  await booted.handle.start();
  const listening = await listen(booted.handle.app, 0, '127.0.0.1');
  booted.handle.attach?.(listening.server);
  let stopped = false;
  return {
    url: listening.url,
    booted,
    async stop() {
      if (stopped) return;
      stopped = true;
      await listening.close(500);
      await booted.handle.stop();
      await booted.close();
    },
  };
}
