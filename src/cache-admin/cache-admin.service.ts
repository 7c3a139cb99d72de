import { Injectable, NotFoundException, Optional, ServiceUnavailableException } from '@nestjs/common';
import { isCacheKey } from '../infra/cache/core/cache-keys';
import { ratio } from '../infra/cache/core/cache-stats';
import { ChangeFeed } from '../infra/cache/feed/change-feed.service';
import { REDIS_UNAVAILABLE, RedisClient, RedisConnection } from '../infra/cache/redis/redis.connection';
import { TwoTierCache } from '../infra/cache/two-tier-cache.service';

/** The results-day project's checkCache / getFromCache / clearCache and the cache-mechanism project's backup(), over both tiers. */
@Injectable()
export class CacheAdminService {
  constructor(
    private readonly cache: TwoTierCache,
    private readonly redis: RedisConnection,
    @Optional() private readonly feed?: ChangeFeed,
  ) {}

  stats() {
    const namespaces: Record<string, object> = {};
    const totals = { l1Hits: 0, l2Hits: 0, misses: 0 };
    for (const [namespace, c] of this.cache.stats.entries()) {
      const requests = c.l1Hits + c.l2Hits + c.misses;
      namespaces[namespace] = { ...c, requests, hitRatio: ratio(c.l1Hits + c.l2Hits, requests) };
      totals.l1Hits += c.l1Hits;
      totals.l2Hits += c.l2Hits;
      totals.misses += c.misses;
    }
    const requests = totals.l1Hits + totals.l2Hits + totals.misses;
    return {
      redis: this.redis.state(),
      l1: {
        ...this.cache.l1Summary(),
        hitRatio: ratio(totals.l1Hits, requests),
      },
      l2: { hitRatio: ratio(totals.l2Hits, requests - totals.l1Hits) },
      totals: { ...totals, requests, hitRatio: ratio(totals.l1Hits + totals.l2Hits, requests) },
      namespaces,
      /** The change feed: who follows MongoDB here, events applied, lag (see README "Which guarantee comes from where"). */
      feed: this.feed?.snapshot(),
    };
  }

  async keys(prefix = '', cursor = '0', count = 100) {
    const result = await this.redis.scanPage(this.cache.l2Pattern(prefix), cursor, count);
    if (result === REDIS_UNAVAILABLE) {
      if (this.redis.enabled) throw new ServiceUnavailableException('Redis is unavailable');
      const keys = this.cache.l1Keys(prefix);
      return { keys, cursor: '0', done: true, source: 'l1' };
    }
    const [next, names] = result;
    const keys = names.map((name) => this.cache.fromL2Key(name)).filter((k): k is string => k !== undefined);
    return { keys: keys.sort(), cursor: next, done: next === '0', source: 'l2' };
  }

  async entry(key: string) {
    if (!isCacheKey(key)) throw new NotFoundException(`no cache entry "${key}"`);
    const l1 = this.cache.l1Entry(key);
    const l2 = await this.l2Entry(this.cache.l2Key(key), key);
    if (!l1 && !l2) throw new NotFoundException(`no cache entry "${key}"`);
    const raw = l2 ? l2.value : l1!.body.toString();
    let value: unknown = raw;
    if (typeof raw === 'string') {
      try {
        value = JSON.parse(raw);
      } catch {
        // bookkeeping keys hold plain strings
      }
    }
    return {
      key,
      value,
      l1: l1 ? { ttlMs: Math.round(l1.ttlMs) } : null,
      l2: l2 ? { ttlMs: l2.ttlMs } : null,
    };
  }

  /**
   * The Redis copy, whatever the key's type: bookkeeping such as a namespace's list index
   * (`<ns>:meta:lists`, a sorted set) is shown by its type and size, since GET on it is a
   * WRONGTYPE error. Null when absent or Redis is down.
   */
  /** Without Redis configured there is no L2 copy; with Redis failing, "not found" would be a lie. */
  private unavailable(): null {
    if (this.redis.enabled) throw new ServiceUnavailableException('Redis is unavailable');
    return null;
  }

  /** `logical`: the key as the cache names it, to read its stored form back as the body. */
  private async l2Entry(key: string, logical: string): Promise<{ value: string | { type: string; size?: number }; ttlMs: number } | null> {
    const head = await this.redis.run((redis) => Promise.all([redis.type(key), redis.pttl(key)]));
    if (head === REDIS_UNAVAILABLE) return this.unavailable();
    const [type, ttlMs] = head;
    if (type === 'none') return null;
    const size: Record<string, (redis: RedisClient) => Promise<number>> = {
      set: (redis) => redis.scard(key),
      zset: (redis) => redis.zcard(key),
      hash: (redis) => redis.hlen(key),
      list: (redis) => redis.llen(key),
    };
    const read: ((redis: RedisClient) => Promise<string | number | null>) | undefined =
      type === 'string'
        ? async (redis) => {
            const stored = await redis.getBuffer(key);
            return stored && this.cache.fromL2(logical, stored).toString();
          }
        : size[type];
    const value = read ? await this.redis.run(read) : undefined;
    if (value === REDIS_UNAVAILABLE) return this.unavailable();
    if (type === 'string') return typeof value === 'string' ? { value, ttlMs } : null;
    return { value: typeof value === 'number' ? { type, size: value } : { type }, ttlMs };
  }

  async delete(key: string) {
    // Not a cache key (a rate-limit counter, the feed's lease): not the cache's to remove.
    if (!isCacheKey(key)) throw new NotFoundException(`no cache entry "${key}"`);
    const inL1 = this.cache.l1Entry(key) !== undefined; // read before the delete empties it
    const existed = (await this.cache.delete(key)) || inL1;
    if (!existed) throw new NotFoundException(`no cache entry "${key}"`);
  }

  async clear(prefix = '') {
    return { removed: await this.cache.clear(prefix), prefix };
  }

  refresh() {
    return this.cache.refreshL1();
  }
}
