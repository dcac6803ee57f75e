import { LUA_NOW, script } from './scripts.js';

/*
 * One user's live presence in Redis, changed only by these scripts so every decision is atomic:
 *   dev  (zset)  connectionId → expiry (ms); a device without heartbeat drops out by itself
 *   user (hash)  status, custom (chosen), active (last activity ms), ps/pc (published status and
 *                custom status), left (ms the user went offline), offat (ms the offline grace ends)
 *   due  (zset)  appId:userId → next time the user's state may change on its own (a device expiry,
 *                the away timer, the end of a grace period): what the sweep looks at
 *   online (set) appId:userId of users with a connected device
 * Every script ends in `reconcile`, which derives the status others see and compares it with what
 * was last published: whichever replica runs it first publishes a change, the others find nothing
 * to do, so no change goes out twice.
 *
 * KEYS: dev, user, due, online[, gone]; ARGV: member, ttl, awayAfter, grace, retention, ...
 * reconcile returns {'none'} | {'nopref'} (chosen status not in Redis: load it and run again) |
 * {'offline_due'} (fetch the last-seen privacy, then run again allowing offline) |
 * {'publish', status, custom, at} (at: when the user left for offline, else now).
 */
const RECONCILE_FN = `${LUA_NOW}
local K = { dev = KEYS[1], user = KEYS[2], due = KEYS[3], online = KEYS[4] }
local member = ARGV[1]
local cfg = { ttl = tonumber(ARGV[2]), awayAfter = tonumber(ARGV[3]), grace = tonumber(ARGV[4]), retention = tonumber(ARGV[5]) }

local function reconcile(now, leftAt, immediate, allowOffline)
  local expired = redis.call('ZRANGEBYSCORE', K.dev, '-inf', now, 'WITHSCORES')
  if #expired > 0 then
    redis.call('ZREMRANGEBYSCORE', K.dev, '-inf', now)
    leftAt = tonumber(expired[#expired]) - cfg.ttl
  end
  local n = redis.call('ZCARD', K.dev)
  local f = redis.call('HMGET', K.user, 'status', 'custom', 'active', 'ps', 'pc', 'left', 'offat')
  local pref, custom, active, ps, pc, left, offat = f[1], f[2], tonumber(f[3]), f[4] or 'offline', f[5] or '', f[6], tonumber(f[7])
  if n > 0 and not pref then return {'nopref'} end
  if n > 0 and not active then
    active = now
    redis.call('HSET', K.user, 'active', now)
  end
  local eff = 'offline'
  if n > 0 and pref ~= 'invisible' then
    eff = pref
    if pref == 'online' and now - active >= cfg.awayAfter then eff = 'away' end
  end
  local effCustom = ''
  if eff ~= 'offline' and custom then effCustom = custom end
  if eff == 'offline' then
    if not left then
      left = tostring(leftAt)
      redis.call('HSET', K.user, 'left', left)
    end
  elseif left then
    left = false
    redis.call('HDEL', K.user, 'left')
  end
  local result = {'none'}
  local due = false
  if ps == eff and pc == effCustom then
    if offat then redis.call('HDEL', K.user, 'offat') end
  elseif eff == 'offline' and immediate ~= '1' and not (offat and offat <= now) then
    if not offat then
      offat = now + cfg.grace
      redis.call('HSET', K.user, 'offat', offat)
    end
    due = offat
  elseif eff == 'offline' and allowOffline ~= '1' then
    return {'offline_due'}
  else
    redis.call('HDEL', K.user, 'offat')
    redis.call('HSET', K.user, 'ps', eff)
    if effCustom ~= '' then redis.call('HSET', K.user, 'pc', effCustom) else redis.call('HDEL', K.user, 'pc') end
    local at = left
    if eff ~= 'offline' then at = tostring(now) end
    result = {'publish', eff, effCustom, at}
  end
  if n > 0 then
    redis.call('SADD', K.online, member)
    redis.call('PERSIST', K.user)
    local first = tonumber(redis.call('ZRANGE', K.dev, 0, 0, 'WITHSCORES')[2])
    if not due or first < due then due = first end
    if eff == 'online' and active + cfg.awayAfter < due then due = active + cfg.awayAfter end
  else
    redis.call('SREM', K.online, member)
    if not due then redis.call('PEXPIRE', K.user, cfg.retention) end
  end
  if due then redis.call('ZADD', K.due, due, member) else redis.call('ZREM', K.due, member) end
  return result
end
`;

/** KEYS[5] = the connection's tombstone (a reused id lives again); ARGV[6] = connectionId. A new socket counts as activity. */
export const CONNECT = script(`${RECONCILE_FN}
local now = nowMs()
redis.call('DEL', KEYS[5])
redis.call('ZADD', K.dev, now + cfg.ttl, ARGV[6])
redis.call('HSET', K.user, 'active', now)
return reconcile(now, now, '0', '0')
`);

/** KEYS[5] = the connection's tombstone, so a heartbeat racing the close does not bring it back. ARGV[6] = connectionId. */
export const DISCONNECT = script(`${RECONCILE_FN}
local now = nowMs()
redis.call('ZREM', K.dev, ARGV[6])
redis.call('SET', KEYS[5], '1', 'PX', cfg.ttl)
return reconcile(now, now, '0', '0')
`);

/** KEYS[5] = tombstone; ARGV[6] = connectionId, ARGV[7] = '1' when the socket was active. */
export const HEARTBEAT = script(`${RECONCILE_FN}
if redis.call('EXISTS', KEYS[5]) == 1 then return {'none'} end
local now = nowMs()
redis.call('ZADD', K.dev, now + cfg.ttl, ARGV[6])
if ARGV[7] == '1' then redis.call('HSET', K.user, 'active', now) end
return reconcile(now, now, '0', '0')
`);

/** ARGV[6] = status, ARGV[7] = custom status ('' for none), ARGV[8] = allowOffline. Choosing counts as activity. */
export const SET_STATUS = script(`${RECONCILE_FN}
local now = nowMs()
redis.call('HSET', K.user, 'status', ARGV[6], 'active', now)
if ARGV[7] ~= '' then redis.call('HSET', K.user, 'custom', ARGV[7]) else redis.call('HDEL', K.user, 'custom') end
return reconcile(now, now, '1', ARGV[8])
`);

/** ARGV[6] = immediate, ARGV[7] = allowOffline. */
export const RECONCILE = script(`${RECONCILE_FN}
local now = nowMs()
return reconcile(now, now, ARGV[6], ARGV[7])
`);

/** The chosen status as stored in PostgreSQL, unless a newer choice is already in Redis. KEYS[1] = user. */
export const LOAD_PREFERENCE = script(`
if redis.call('HSETNX', KEYS[1], 'status', ARGV[1]) == 1 and ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'custom', ARGV[2]) end
return 1
`);

/**
 * Claims up to ARGV[1] due members (KEYS[1]) by pushing them ARGV[2] ms ahead: replicas sweep
 * different users, and one that dies mid-sweep leaves them due again.
 */
export const CLAIM_DUE = script(`${LUA_NOW}
local now = nowMs()
local members = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
for _, m in ipairs(members) do redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), m) end
return members
`);
