import { Injectable, NotFoundException, Optional, ServiceUnavailableException } from '@nestjs/common';
import { ratio } from './cache-stats';
import { ChangeFeed } from './feed/change-feed.service';
import { REDIS_UNAVAILABLE, RedisConnection } from './redis.connection';
import { TwoTierCache } from './two-tier-cache.service';

/** Seed 000's checkCache / getFromCache / clearCache and seed 004's backup(), over both tiers. */
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
        enabled: this.cache.settings.l1Enabled,
        serving: this.cache.l1Usable,
        entries: this.cache.l1.size,
        bytes: this.cache.l1.bytes,
        maxEntries: this.cache.settings.l1MaxEntries,
        maxBytes: this.cache.settings.l1MaxBytes,
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
    const result = await this.redis.run((redis) => redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', count));
    if (result === REDIS_UNAVAILABLE) {
      if (this.redis.enabled) throw new ServiceUnavailableException('Redis is unavailable');
      const keys = this.cache.l1.keys().filter((k) => k.startsWith(prefix));
      return { keys, cursor: '0', done: true, source: 'l1' };
    }
    const [next, keys] = result;
    return { keys: keys.sort(), cursor: next, done: next === '0', source: 'l2' };
  }

  async entry(key: string) {
    const l1 = this.cache.l1.get(key);
    const l2 = await this.redis.run((redis) => redis.pipeline().get(key).pttl(key).exec());
    const l2Value = l2 !== REDIS_UNAVAILABLE && l2 ? (l2[0][1] as string | null) : null;
    if (!l1 && l2Value === null) throw new NotFoundException(`no cache entry "${key}"`);
    const raw = l2Value ?? l1!.body.toString();
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // bookkeeping keys hold plain strings
    }
    return {
      key,
      value,
      l1: l1 ? { ttlMs: Math.round(this.cache.l1.remainingTtlMs(key)) } : null,
      l2: l2Value !== null && l2 !== REDIS_UNAVAILABLE && l2 ? { ttlMs: l2[1][1] as number } : null,
    };
  }

  async delete(key: string) {
    const existed = (await this.cache.delete(key)) || this.cache.l1.get(key) !== undefined;
    if (!existed) throw new NotFoundException(`no cache entry "${key}"`);
  }

  async clear(prefix = '') {
    return { removed: await this.cache.clear(prefix), prefix };
  }

  refresh() {
    return this.cache.refreshL1();
  }
}
