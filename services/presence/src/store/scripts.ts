import { createHash } from 'node:crypto';
import type { RedisClient } from '@chat/service-kit';

/** A Lua script run by its SHA (loaded on first use and again after a Redis restart). */
export interface Script {
  source: string;
  sha: string;
}

export function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

type Arg = string | number;

export async function runScript<T>(redis: RedisClient, s: Script, keys: string[], args: Arg[]): Promise<T> {
  const options = { keys, arguments: args.map(String) };
  try {
    return (await redis.evalSha(s.sha, options)) as T;
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
    return (await redis.eval(s.source, options)) as T;
  }
}

/** Lua: the Redis server's clock in milliseconds, one clock for every replica. */
export const LUA_NOW = `local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;
