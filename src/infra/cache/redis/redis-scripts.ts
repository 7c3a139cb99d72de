import { createHash } from 'node:crypto';
import type { RedisClient } from './redis.connection';

/*
 * Every script touches keys of one slot only, so that it runs on a Redis Cluster: on a Cluster
 * the namespace is a hash tag (`{games}:id:1`, `{games}:meta:gen`, `{games}:meta:lists`,
 * `{games}:list:<sha1>`, see TwoTierCache.l2Key), so a namespace's keys all live in one slot,
 * including the list keys a script reads from the index without declaring them.
 *
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
 * KEYS: value key, generation key, list index key (always given, so that on a Cluster every
 * declared key is in the namespace's slot; an empty name would hash elsewhere)
 *
 * The index is a sorted set scored by each list key's expiry (server time), so it stays bounded:
 * members whose key has expired are pruned (at most 64 per store, so a store stays O(log n)),
 * and beyond ARGV[4] members the ones closest to expiry (stored longest ago) are evicted
 * together with their keys, since a list key the index forgot could not be invalidated.
 * ARGV: expected generation, value, ttl ms, most list variants, '1' to index the key (a list)
 */
const STORE_IF_CURRENT = `${UPGRADE_INDEX}
local current = redis.call('GET', KEYS[2]) or '0'
if current ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
if ARGV[5] == '1' then
  local now = nowMs()
  upgradeIndex(KEYS[3], now)
  redis.call('ZADD', KEYS[3], now + tonumber(ARGV[3]), KEYS[1])
  local expired = redis.call('ZRANGE', KEYS[3], '-inf', now, 'BYSCORE', 'LIMIT', 0, 64)
  if #expired > 0 then redis.call('ZREM', KEYS[3], unpack(expired)) end
  local excess = redis.call('ZCARD', KEYS[3]) - tonumber(ARGV[4])
  if excess > 0 then
    local evicted = redis.call('ZPOPMIN', KEYS[3], excess)
    for i = 1, #evicted, 2 do redis.call('DEL', evicted[i]) end
  end
end
return 1`;

/**
 * Bumps the namespace generation, then deletes every indexed list variant and the given id keys,
 * atomically. The index holds at most CACHE_LIST_VARIANTS_MAX members, which bounds the run time.
 * Then publishes the bus message that tells every instance to drop its in-process copies: from
 * the script, so it goes out exactly when the change applied, even if the reply reaches the
 * writer too late (a slow link) and it must count the invalidation as not done and replay it.
 * KEYS: generation key, list index key, id keys... ARGV: bus channel, message
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
redis.call('PUBLISH', ARGV[1], ARGV[2])
return #lists`;

/**
 * Deletes one key and bumps its namespace's generation, so a fill that read the source before
 * the delete cannot store afterwards (the same guard as a write's invalidation); then publishes
 * the bus message, as INVALIDATE does.
 * KEYS: generation key, key. ARGV: bus channel, message. Returns how many keys were deleted (0 or 1).
 */
const DELETE_KEY = `
redis.call('INCR', KEYS[1])
local deleted = redis.call('DEL', KEYS[2])
redis.call('PUBLISH', ARGV[1], ARGV[2])
return deleted`;

/**
 * Reads an entry in one command: its value, its time left (so an L1 copy never outlives it) and
 * the namespace generation (a miss stores against it). One round trip, one command, hit or miss.
 * KEYS: value key, generation key. Returns [value or nil, PTTL, generation].
 */
const READ_ENTRY = `
local value = redis.call('GET', KEYS[1])
local generation = redis.call('GET', KEYS[2]) or '0'
if not value then return {false, -2, generation} end
return {value, redis.call('PTTL', KEYS[1]), generation}`;

export interface CacheScripts {
  readEntryBuffer(key: string, generationKey: string): Promise<[Buffer | null, number, Buffer]>;
  storeIfCurrent(
    key: string,
    generationKey: string,
    listIndexKey: string,
    generation: string,
    value: string | Buffer,
    ttlMs: number,
    maxListVariants: number,
    isList: '1' | '0',
  ): Promise<number>;
  invalidateNamespace(...keysAndCount: (string | number)[]): Promise<number>;
  deleteKey(generationKey: string, key: string, channel: string, message: string): Promise<number>;
}

/** Each script's SHA1 as EVALSHA names it (for tools that count what the cache sends, e.g. the benches). */
export const CACHE_SCRIPT_SHAS = Object.fromEntries(
  Object.entries({ readEntry: READ_ENTRY, storeIfCurrent: STORE_IF_CURRENT, invalidateNamespace: INVALIDATE, deleteKey: DELETE_KEY }).map(
    ([name, lua]) => [createHash('sha1').update(lua).digest('hex'), name],
  ),
) as Record<string, keyof CacheScripts>;

export function withCacheScripts<R extends RedisClient>(redis: R): R & CacheScripts {
  const scripted = redis as R & CacheScripts & { __cacheScripts?: true };
  if (!scripted.__cacheScripts) {
    redis.defineCommand('readEntry', { numberOfKeys: 2, lua: READ_ENTRY });
    redis.defineCommand('storeIfCurrent', { numberOfKeys: 3, lua: STORE_IF_CURRENT });
    redis.defineCommand('invalidateNamespace', { lua: INVALIDATE });
    redis.defineCommand('deleteKey', { numberOfKeys: 2, lua: DELETE_KEY });
    scripted.__cacheScripts = true;
  }
  return scripted;
}
