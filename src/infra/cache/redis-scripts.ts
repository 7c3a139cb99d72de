import type Redis from 'ioredis';

/**
 * Stores a value only if the namespace generation is still the one read before the source
 * was queried (the cache-aside race guard), and records list keys in the namespace's index.
 * KEYS: value key, generation key, list index key ('' for id keys)
 * ARGV: expected generation, value, ttl ms
 */
const STORE_IF_CURRENT = `
local current = redis.call('GET', KEYS[2]) or '0'
if current ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
if KEYS[3] ~= '' then
  redis.call('SADD', KEYS[3], KEYS[1])
  if redis.call('PTTL', KEYS[3]) < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[3], ARGV[3]) end
end
return 1`;

/**
 * Bumps the namespace generation, then deletes every indexed list variant and the given id keys,
 * atomically. KEYS: generation key, list index key, id keys...
 * The generation expires a day after the namespace's last write, so per-caller namespaces do not
 * pile up. That is safe: a counter that restarts can only fail a store, never let a stale one
 * through, unless a single read stayed in flight for a day.
 */
const INVALIDATE = `
redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], 86400000)
local lists = redis.call('SMEMBERS', KEYS[2])
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
