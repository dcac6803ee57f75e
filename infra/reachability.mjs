import { connect } from 'node:net';

/** The local dependencies and where their URLs come from. */
export function dependencies(env = process.env) {
  const url = (value, fallback) => new URL(value ?? fallback);
  const pg = url(env.DATABASE_URL, 'postgres://postgres@127.0.0.1:5432/chat');
  const redis = url(env.REDIS_URL, 'redis://127.0.0.1:6380');
  const nats = url((env.NATS_URL ?? 'nats://127.0.0.1:4223').split(',')[0]);
  return [
    { name: 'PostgreSQL', host: pg.hostname, port: Number(pg.port || 5432) },
    { name: 'Redis', host: redis.hostname, port: Number(redis.port || 6380) },
    { name: 'NATS', host: nats.hostname, port: Number(nats.port || 4223) },
  ];
}

function reachable({ host, port }, timeoutMs = 1500) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Exits with a clear message naming each dependency that does not answer. */
export async function requireDependencies(env = process.env) {
  const deps = dependencies(env);
  const results = await Promise.all(deps.map((d) => reachable(d)));
  const down = deps.filter((_, i) => !results[i]);
  if (down.length === 0) return;
  for (const d of down) process.stderr.write(`${d.name} is not reachable at ${d.host}:${d.port}\n`);
  process.stderr.write(
    'Start them with: bash infra/dev-services.sh  (installs PostgreSQL, Redis and NATS from Debian packages if needed, and runs the project’s authenticated NATS and Redis)\n',
  );
  process.exit(1);
}
