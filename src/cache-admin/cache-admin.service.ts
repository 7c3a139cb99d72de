import { Injectable, NotFoundException, Optional, ServiceUnavailableException } from '@nestjs/common';
import {
  CacheInspector,
  CacheInvalidator,
  CacheStats,
  ChangeFeed,
  isCacheKey,
  ratio,
  REDIS_UNAVAILABLE,
  RedisConnection,
} from '../infra/cache';

/** Operators' view of both tiers: look up, read and clear entries, and re-sync L1 from Redis (a backup run on demand). */
@Injectable()
export class CacheAdminService {
  constructor(
    private readonly counters: CacheStats,
    private readonly inspector: CacheInspector,
    private readonly invalidator: CacheInvalidator,
    private readonly redis: RedisConnection,
    @Optional() private readonly feed?: ChangeFeed,
  ) {}

  stats() {
    const namespaces: Record<string, object> = {};
    const totals = { l1Hits: 0, l2Hits: 0, misses: 0 };
    for (const [namespace, c] of this.counters.entries()) {
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
        ...this.inspector.l1Summary(),
        hitRatio: ratio(totals.l1Hits, requests),
      },
      l2: { hitRatio: ratio(totals.l2Hits, requests - totals.l1Hits) },
      totals: { ...totals, requests, hitRatio: ratio(totals.l1Hits + totals.l2Hits, requests) },
      namespaces,
      /** The change feed: who follows MongoDB here, events applied, lag. */
      feed: this.feed?.snapshot(),
    };
  }

  async keys(prefix = '', cursor = '0', count = 100) {
    const page = await this.inspector.l2Keys(prefix, cursor, count);
    if (page === REDIS_UNAVAILABLE) {
      if (this.redis.enabled) throw new ServiceUnavailableException('Redis is unavailable');
      return { keys: this.inspector.l1Keys(prefix), cursor: '0', done: true, source: 'l1' };
    }
    return { keys: page.keys.sort(), cursor: page.cursor, done: page.cursor === '0', source: 'l2' };
  }

  async entry(key: string) {
    if (!isCacheKey(key)) throw new NotFoundException(`no cache entry "${key}"`);
    const l1 = this.inspector.l1Entry(key);
    const l2 = await this.inspector.l2Entry(key);
    // Without Redis configured there is no L2 copy; with Redis failing, "not found" would be a lie.
    if (l2 === REDIS_UNAVAILABLE && this.redis.enabled) throw new ServiceUnavailableException('Redis is unavailable');
    const inL2 = l2 === REDIS_UNAVAILABLE ? null : l2;
    if (!l1 && !inL2) throw new NotFoundException(`no cache entry "${key}"`);
    const raw = inL2 ? inL2.value : l1!.body.toString();
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
      l2: inL2 ? { ttlMs: inL2.ttlMs } : null,
    };
  }

  async delete(key: string) {
    // Not a cache key (a rate-limit counter, the feed's lease): not the cache's to remove.
    if (!isCacheKey(key)) throw new NotFoundException(`no cache entry "${key}"`);
    const inL1 = this.inspector.l1Entry(key) !== undefined; // read before the delete empties it
    const existed = (await this.invalidator.delete(key)) || inL1;
    if (!existed) throw new NotFoundException(`no cache entry "${key}"`);
  }

  async clear(prefix = '') {
    return { removed: await this.invalidator.clear(prefix), prefix };
  }

  refresh() {
    return this.inspector.refreshL1();
  }
}
