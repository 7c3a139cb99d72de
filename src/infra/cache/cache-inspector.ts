import { Inject, Injectable } from '@nestjs/common';
import { CACHE_SETTINGS, CacheSettings } from './core/cache.settings';
import { LocalTier } from './local-tier';
import { groupByNamespace, L2Tier } from './redis/l2-tier';
import { REDIS_UNAVAILABLE, RedisClient, RedisConnection, type Unavailable } from './redis/redis.connection';

/** What the admin API shows of a key in Redis: a cache entry's text, or bookkeeping by its type and size. */
export interface L2View {
  value: string | { type: string; size?: number };
  ttlMs: number;
}

/** Batches of one namespace each: on a Cluster a pipeline must stay within one slot. */
const RESYNC_BATCH = 200;

/** Looks into both tiers for the admin API: summaries, keys, one entry, and re-syncing L1 with Redis. */
@Injectable()
export class CacheInspector {
  constructor(
    @Inject(CACHE_SETTINGS) private readonly settings: CacheSettings,
    private readonly local: LocalTier,
    private readonly l2: L2Tier,
    private readonly redis: RedisConnection,
  ) {}

  /** The in-process tier's figures, for stats and metrics. */
  l1Summary() {
    return {
      enabled: this.settings.l1Enabled,
      serving: this.local.usable,
      entries: this.local.entries.size,
      bytes: this.local.entries.bytes,
      heldBytes: this.local.entries.heldBytes,
      evictions: this.local.entries.evictions,
      maxEntries: this.settings.l1MaxEntries,
      maxBytes: this.settings.l1MaxBytes,
    };
  }

  /** A fresh L1 copy of `key` and its time left. */
  l1Entry(key: string): { body: Buffer; ttlMs: number } | undefined {
    const entry = this.local.entries.get(key);
    return entry && { body: entry.body, ttlMs: this.local.entries.remainingTtlMs(key) };
  }

  l1Keys(prefix = ''): string[] {
    return this.local.entries.keys().filter((k) => k.startsWith(prefix));
  }

  /** One page of the deployment's cache keys in Redis under `prefix` (logical names). */
  l2Keys(prefix: string, cursor: string, count: number): Promise<{ keys: string[]; cursor: string } | Unavailable> {
    return this.l2.scanKeys(prefix, cursor, count);
  }

  /**
   * The Redis copy, whatever the key's type: bookkeeping such as a namespace's list index (a
   * sorted set) is shown by its type and size, since GET on it is a WRONGTYPE error. Null when absent.
   */
  async l2Entry(key: string): Promise<L2View | null | Unavailable> {
    const name = this.l2.keys.of(key);
    const head = await this.redis.run((redis) => Promise.all([redis.type(name), redis.pttl(name)]));
    if (head === REDIS_UNAVAILABLE) return head;
    const [type, ttlMs] = head;
    if (type === 'none') return null;
    const size: Record<string, (redis: RedisClient) => Promise<number>> = {
      set: (redis) => redis.scard(name),
      zset: (redis) => redis.zcard(name),
      hash: (redis) => redis.hlen(name),
      list: (redis) => redis.llen(name),
    };
    const read: ((redis: RedisClient) => Promise<string | number | null>) | undefined =
      type === 'string'
        ? async (redis) => {
            const value = await redis.getBuffer(name);
            return value && this.l2.shown(key, value);
          }
        : size[type];
    const value = read ? await this.redis.run(read) : undefined;
    if (value === REDIS_UNAVAILABLE) return value;
    if (type === 'string') return typeof value === 'string' ? { value, ttlMs } : null;
    return { value: typeof value === 'number' ? { type, size: value } : { type }, ttlMs };
  }

  /** Re-syncs every L1 entry with Redis: updated from it, or dropped when gone there. */
  async refreshL1(): Promise<{ checked: number; updated: number; dropped: number }> {
    const keys = this.local.entries.keys();
    let updated = 0;
    let dropped = 0;
    for (const [namespace, group] of groupByNamespace(keys)) {
      for (let i = 0; i < group.length; i += RESYNC_BATCH) {
        const batch = group.slice(i, i + RESYNC_BATCH);
        const generation = this.local.generation(namespace);
        const values = await this.l2.readMany(batch);
        if (values === REDIS_UNAVAILABLE) return { checked: keys.length, updated, dropped };
        const gone = batch.filter((_, j) => !values[j].body);
        batch.forEach((key, j) => {
          const { body, pttl } = values[j];
          if (body && this.local.keep(namespace, key, body, pttl, generation, key.startsWith(`${namespace}:list`))) updated++;
        });
        // Dropping bumps the namespace generation, so it comes after this batch's stores.
        for (const key of gone) this.local.entries.delete(key);
        dropped += gone.length;
      }
    }
    return { checked: keys.length, updated, dropped };
  }
}
