import type Redis from 'ioredis';

/*
 * Bookkeeping (generation counters, list indexes) carries no TTL: with Redis capped at
 * `maxmemory` under `volatile-lru`, only keys with a TTL (the cached entries) are eviction
 * candidates, so the race guard and the invalidation index are never evicted. They stay
 * bounded without a TTL: a list index is a sorted set scored by each entry's expiry, pruned of
 * expired members on every store and deleted by every write; a generation counter is one small
 * key per namespace that was ever written (per-caller namespaces included).
 */

/** Indexes created before the sorted-set form were plain sets: converted in place, once. */
const UPGRADE_INDEX = `
local function upgradeIndex(index, now)
  if redis.call('TYPE', index).ok ~= 'set' then return end
  local members = redis.call('SMEMBERS', index)
  redis.call('DEL', index)
  for _, member in ipairs(members) do
    local left = redis.call('PTTL', member)
    if left > 0 then redis.call('ZADD', index, now + left, member) end
  end
end
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

/**
 * Stores a value only if the namespace generation is still the one read before the source
 * was queried (the cache-aside race guard), and records list keys in the namespace's index.
 * KEYS: value key, generation key, list index key ('' for id keys)
 * ARGV: expected generation, value, ttl ms
 */
const STORE_IF_CURRENT = `${UPGRADE_INDEX}
local current = redis.call('GET', KEYS[2]) or '0'
if current ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
if KEYS[3] ~= '' then
  local now = nowMs()
  upgradeIndex(KEYS[3], now)
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
  redis.call('ZADD', KEYS[3], now + tonumber(ARGV[3]), KEYS[1])
end
return 1`;

/**
 * Bumps the namespace generation, then deletes every indexed list variant and the given id keys,
 * atomically. KEYS: generation key, list index key, id keys...
 */
const INVALIDATE = `${UPGRADE_INDEX}
redis.call('INCR', KEYS[1])
upgradeIndex(KEYS[2], nowMs())
local lists = redis.call('ZRANGE', KEYS[2], 0, -1)
for i = 1, #lists, 500 do
  redis.call('DEL', unpack(lists, i, math.min(i + 499, #lists)))
end
redis.call('DEL', KEYS[2])
for i = 3, #KEYS do redis.call('DEL', KEYS[i]) end
return #lists`;

export interface CacheScripts {
  storeIfCurrent(
    key: string,
    generationKey: string,
    listIndexKey: string,
    generation: string,
    value: string | Buffer,
    ttlMs: number,
  ): Promise<number>;
  invalidateNamespace(...keysAndCount: (string | number)[]): Promise<number>;
}

export function withCacheScripts(redis: Redis): Redis & CacheScripts {
  const scripted = redis as Redis & CacheScripts & { __cacheScripts?: true };
  if (!scripted.__cacheScripts) {
    redis.defineCommand('storeIfCurrent', { numberOfKeys: 3, lua: STORE_IF_CURRENT });
    redis.defineCommand('invalidateNamespace', { lua: INVALIDATE });
    scripted.__cacheScripts = true;
  }
  return scripted;
}
