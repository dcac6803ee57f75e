import type { RedisClient, RedisKeys } from '@chat/service-kit';
import { LUA_NOW, runScript, script } from './scripts.js';

/*
 * Typing state in Redis:
 *   chat (hash)  userId → "<since ms>:<expires ms>" of each member typing in the chat
 *   due  (zset)  appId:chatId:userId → expiry, what the sweep looks at
 *   rate (key)   per user and chat, set while a forwarded event blocks the next one
 * Whoever removes a user's field from the chat hash (a stop, or the sweep once it expired) is the
 * one that publishes `typing: false`: HDEL answers 1 to exactly one of them.
 */

/** KEYS: chat, due, rate; ARGV: userId, member, ttl, minInterval. Returns 1 when the event is to be forwarded. */
const START = script(`${LUA_NOW}
local now = nowMs()
local ttl = tonumber(ARGV[3])
local since = now
local v = redis.call('HGET', KEYS[1], ARGV[1])
if v then
  local s, e = string.match(v, '^(%d+):(%d+)$')
  if s and tonumber(e) > now then since = tonumber(s) end
end
redis.call('HSET', KEYS[1], ARGV[1], since .. ':' .. (now + ttl))
redis.call('PEXPIRE', KEYS[1], ttl * 2)
redis.call('ZADD', KEYS[2], now + ttl, ARGV[2])
if tonumber(ARGV[4]) <= 0 then return 1 end
if redis.call('SET', KEYS[3], '1', 'NX', 'PX', tonumber(ARGV[4])) then return 1 end
return 0
`);

/** KEYS: chat, due; ARGV: userId, member. Returns 1 when the user was typing. */
const STOP = script(`
redis.call('ZREM', KEYS[2], ARGV[2])
return redis.call('HDEL', KEYS[1], ARGV[1])
`);

/** KEYS: due; ARGV: limit. Takes the expired entries off the due set (each goes to one replica). */
const CLAIM = script(`${LUA_NOW}
local members = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', nowMs(), 'LIMIT', 0, tonumber(ARGV[1]))
for _, m in ipairs(members) do redis.call('ZREM', KEYS[1], m) end
return members
`);

/** KEYS: chat; ARGV: userId. Removes the field if it has expired (not if renewed meanwhile); 1 when removed. */
const EXPIRE = script(`${LUA_NOW}
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return 0 end
local e = tonumber(string.match(v, ':(%d+)$'))
if e and e > nowMs() then return 0 end
return redis.call('HDEL', KEYS[1], ARGV[1])
`);

/** KEYS: chat. Returns userId, since, userId, since, … of those typing now. */
const LIST = script(`${LUA_NOW}
local now = nowMs()
local all = redis.call('HGETALL', KEYS[1])
local out = {}
for i = 1, #all, 2 do
  local s, e = string.match(all[i + 1], '^(%d+):(%d+)$')
  if s and tonumber(e) > now then
    table.insert(out, all[i])
    table.insert(out, s)
  end
end
return out
`);

export interface TypingRef {
  appId: string;
  chatId: string;
  userId: string;
}

export class TypingStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly ttlMs: number,
    private readonly minIntervalMs: number,
  ) {}

  private chatKey(appId: string, chatId: string): string {
    return this.keys.key('typing', appId, chatId);
  }

  private dueKey(): string {
    return this.keys.key('typing', 'due');
  }

  /** Starts or renews; true when this event is to be forwarded (at most one per interval). */
  async start(ref: TypingRef): Promise<boolean> {
    const rate = this.keys.key('typing', 'rate', ref.appId, ref.chatId, ref.userId);
    const keys = [this.chatKey(ref.appId, ref.chatId), this.dueKey(), rate];
    return (await runScript<number>(this.redis, START, keys, [ref.userId, member(ref), this.ttlMs, this.minIntervalMs])) === 1;
  }

  /** True when the user was typing (and so a stop is to be forwarded). */
  async stop(ref: TypingRef): Promise<boolean> {
    return (await runScript<number>(this.redis, STOP, [this.chatKey(ref.appId, ref.chatId), this.dueKey()], [ref.userId, member(ref)])) === 1;
  }

  async claimExpired(limit: number): Promise<TypingRef[]> {
    const members = await runScript<string[]>(this.redis, CLAIM, [this.dueKey()], [limit]);
    return members.map((m) => {
      const [appId = '', chatId = '', userId = ''] = m.split(':');
      return { appId, chatId, userId };
    });
  }

  /** True when the entry had expired and this call removed it. */
  async expire(ref: TypingRef): Promise<boolean> {
    return (await runScript<number>(this.redis, EXPIRE, [this.chatKey(ref.appId, ref.chatId)], [ref.userId])) === 1;
  }

  async list(appId: string, chatId: string): Promise<{ userId: string; since: Date }[]> {
    const flat = await runScript<string[]>(this.redis, LIST, [this.chatKey(appId, chatId)], []);
    const out: { userId: string; since: Date }[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) out.push({ userId: flat[i]!, since: new Date(Number(flat[i + 1])) });
    return out;
  }
}

function member(ref: TypingRef): string {
  return `${ref.appId}:${ref.chatId}:${ref.userId}`;
}
