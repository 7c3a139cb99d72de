import type Redis from 'ioredis';

/**
 * Indexes of list variants written by an older version were plain sets: drop them with their
 * members (deleting cached lists is always safe) so the sorted-set index takes over.
 */
const DROP_LEGACY_INDEX = `
local function dropLegacyIndex(index)
  if redis.call('TYPE', index).ok == 'set' then
    local members = redis.call('SMEMBERS', index)
    for i = 1, #members, 500 do redis.call('DEL', unpack(members, i, math.min(i + 499, #members))) end
    redis.call('DEL', index)
  end
end`;

/**
 * Stores a value only if the namespace generation is still the one read before the source
 * was queried (the cache-aside race guard), and records list keys in the namespace's index.
 *
 * The index is a sorted set scored by each list key's expiry (server time), so it stays bounded:
 * members whose key has expired are pruned (at most 64 per store, so a store stays O(log n)),
 * and beyond ARGV[4] members the ones closest to expiry (stored longest ago) are evicted
 * together with their keys, since a list key the index forgot could not be invalidated.
 * KEYS: value key, generation key, list index key ('' for id keys)
 * ARGV: expected generation, value, ttl ms, most list variants
 */
const STORE_IF_CURRENT = `${DROP_LEGACY_INDEX}
local current = redis.call('GET', KEYS[2]) or '0'
if current ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
if KEYS[3] ~= '' then
  dropLegacyIndex(KEYS[3])
  local time = redis.call('TIME')
  local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
  local ttl = tonumber(ARGV[3])
  redis.call('ZADD', KEYS[3], now + ttl, KEYS[1])
  local expired = redis.call('ZRANGE', KEYS[3], '-inf', now, 'BYSCORE', 'LIMIT', 0, 64)
  if #expired > 0 then redis.call('ZREM', KEYS[3], unpack(expired)) end
  local excess = redis.call('ZCARD', KEYS[3]) - tonumber(ARGV[4])
  if excess > 0 then
    local evicted = redis.call('ZPOPMIN', KEYS[3], excess)
    for i = 1, #evicted, 2 do redis.call('DEL', evicted[i]) end
  end
  if redis.call('PTTL', KEYS[3]) < ttl then redis.call('PEXPIRE', KEYS[3], ttl) end
end
return 1`;

/**
 * Bumps the namespace generation, then deletes every indexed list variant and the given id keys,
 * atomically. The index holds at most CACHE_LIST_VARIANTS_MAX members, which bounds the run time.
 * KEYS: generation key, list index key, id keys...
 * The generation expires a day after the namespace's last write, so per-caller namespaces do not
 * pile up. That is safe: a counter that restarts can only fail a store, never let a stale one
 * through, unless a single read stayed in flight for a day.
 */
const INVALIDATE = `${DROP_LEGACY_INDEX}
redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], 86400000)
dropLegacyIndex(KEYS[2])
local lists = redis.call('ZRANGE', KEYS[2], 0, -1)
for i = 1, #lists, 500 do
  redis.call('DEL', unpack(lists, i, math.min(i + 499, #lists)))
end
redis.call('DEL', KEYS[2])
for i = 3, #KEYS do redis.call('DEL', KEYS[i]) end
return #lists`;

/**
 * Deletes one key and bumps its namespace's generation, so a fill that read the source before
 * the delete cannot store afterwards (the same guard as a write's invalidation).
 * KEYS: generation key, key. Returns how many keys were deleted (0 or 1).
 */
const DELETE_KEY = `
redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], 86400000)
return redis.call('DEL', KEYS[2])`;

export interface CacheScripts {
  storeIfCurrent(
    key: string,
    generationKey: string,
    listIndexKey: string,
    generation: string,
    value: string | Buffer,
    ttlMs: number,
    maxListVariants: number,
  ): Promise<number>;
  invalidateNamespace(...keysAndCount: (string | number)[]): Promise<number>;
  deleteKey(generationKey: string, key: string): Promise<number>;
}

export function withCacheScripts(redis: Redis): Redis & CacheScripts {
  const scripted = redis as Redis & CacheScripts & { __cacheScripts?: true };
  if (!scripted.__cacheScripts) {
    redis.defineCommand('storeIfCurrent', { numberOfKeys: 3, lua: STORE_IF_CURRENT });
    redis.defineCommand('invalidateNamespace', { lua: INVALIDATE });
    redis.defineCommand('deleteKey', { numberOfKeys: 2, lua: DELETE_KEY });
    scripted.__cacheScripts = true;
  }
  return scripted;
}
