import { Inject, Injectable } from '@nestjs/common';
import { variantKey } from './core/cache-keys';
import { CACHE_SETTINGS, CacheSettings } from './core/cache.settings';
import { CacheStats, CacheTier } from './core/cache-stats';
import { entityTag } from './core/entity-tag';
import type { Coding } from './core/encodings';
import type { L1Entry } from './core/l1-store';
import { CacheInvalidator } from './cache-invalidator';
import { LocalTier } from './local-tier';
import { RefreshAhead } from './refresh-ahead';
import { L2Tier } from './redis/l2-tier';
import type { L2Codec } from './core/l2-codec';
import { REDIS_UNAVAILABLE } from './redis/redis.connection';

/** A body with what HTTP needs to send it: its entity tag (and, from L1, its compressed forms). */
export type CachedBody = Pick<L1Entry, 'body' | 'etag' | 'br' | 'gzip'>;

export interface CacheResult {
  body: Buffer;
  /** The L1 entry when there is one (tag computed when it entered L1), else the tag computed now. */
  entry: CachedBody;
  /** Where the body came from; undefined when it was loaded from the source (a miss). */
  tier?: CacheTier;
  /** Set when the source failed and an expired copy answered instead (stale-if-error). */
  stale?: { ageSeconds: number };
}

export interface LoadOptions {
  ttlSeconds?: number;
  /** List keys are indexed so that any write to the namespace removes them. */
  isList: boolean;
  /**
   * Skip the in-process tier whenever Redis is there: a change made anywhere (another instance,
   * the CLI) is seen by the very next read, not after the pub/sub message arrives. For records
   * that authorize (roles), where "soon" is not enough.
   */
  sharedOnly?: boolean;
  /**
   * Errors of `load` that mean the source is unreachable: an expired in-process copy (within
   * CACHE_STALE_GRACE_SECONDS) answers instead of the error. Unset: errors pass through.
   */
  staleIfError?: (error: unknown) => boolean;
  /** The coding the client prefers: an L1 hit without that form gets it computed, for later reads. */
  coding?: Coding;
}

/**
 * A miss already read from Redis (by the fast path), carried to the load: it stores against these
 * generations (read before and with that read) instead of asking Redis again.
 */
export interface KnownMiss {
  l1Generation: number;
  l2Generation: string;
}

/** What the L2 tier alone said of a key: a hit to send, or a miss to load. */
export type L2Peek = { hit: CachedBody; miss?: undefined } | { miss: KnownMiss; hit?: undefined };

/** What a programmatic cache-aside read answers: the bytes and where they came from. */
export interface CacheOutcome {
  body: Buffer;
  /** HIT (tier says which), MISS (loaded and stored), BYPASS (CACHE_ENABLED=false), STALE (source down). */
  status: 'HIT' | 'MISS' | 'BYPASS' | 'STALE';
  tier?: CacheTier;
  /** On STALE: how long this instance has held the copy. */
  ageSeconds?: number;
}

export interface AsideRequest {
  namespace: string;
  /** What identifies the answer in the namespace (e.g. a validated body + page); hashed into the key. */
  parts: Record<string, unknown>;
  /** Readable kind in the key: `<ns>:list:<label>:<sha1>` (default `<ns>:list:<sha1>`). */
  label?: string;
  ttlSeconds?: number;
  /** Produces the value on a miss; serialized once as JSON, and those bytes are stored and answered. */
  load: () => Promise<unknown>;
  /** Errors of `load` that mean the source is unreachable (see LoadOptions.staleIfError). */
  staleIfError?: (error: unknown) => boolean;
}

/**
 * Cache-aside over two tiers: L1 (bounded, in-process) in front of L2 (Redis), MongoDB behind.
 *
 * Guarantees:
 * - a fill that read the source before a write's invalidation is never stored (generations
 *   checked atomically at store time, in Redis and in L1);
 * - concurrent misses of one key in one process run one load;
 * - every instance drops its L1 copies when another instance invalidates (CacheInvalidator);
 * - with Redis down, reads go to the source (no L1 either, since invalidations could be missed).
 */
@Injectable()
export class TwoTierCache {
  constructor(
    @Inject(CACHE_SETTINGS) readonly settings: CacheSettings,
    private readonly local: LocalTier,
    private readonly l2: L2Tier,
    private readonly invalidator: CacheInvalidator,
    readonly refreshAhead: RefreshAhead,
    readonly stats: CacheStats,
  ) {}

  get enabled(): boolean {
    return this.settings.enabled;
  }

  /** The L1 tier alone, for the interceptor's fast path (`coding`: what the client prefers). */
  peekL1(key: string, coding?: Coding): L1Entry | undefined {
    return this.local.peek(key, coding);
  }

  /**
   * The L2 tier alone, for the fast path: one command on the entry's key. A hit is promoted to L1
   * (never outliving the Redis copy); it needs no generation: the value in Redis is what the race
   * guard let through, and a write deletes it. A miss carries the generations the load must store
   * against (see getOrLoad's `known`), so a miss reads Redis once.
   * Undefined when Redis cannot answer, or while this instance's own invalidation of the namespace
   * has not reached Redis (Redis may still hold what that write made stale).
   */
  async peekL2(namespace: string, key: string, isList: boolean): Promise<L2Peek | undefined> {
    if (!this.l2.enabled || this.invalidator.isPending(namespace)) return undefined;
    const l1Generation = this.local.generation(namespace);
    const read = await this.l2.read(namespace, key);
    if (read === REDIS_UNAVAILABLE) return undefined;
    if (!read.body) return { miss: { l1Generation, l2Generation: read.generation } };
    this.stats.hit(namespace, 'l2');
    const etag = this.local.keep(namespace, key, read.body, read.pttl, l1Generation, isList);
    return { hit: tagged(read.body, etag) };
  }

  /**
   * Cache-aside for answers that are not plain GETs (POST searches, document operations): the
   * key is a list variant of `namespace` built from `parts`, so any write to the namespace drops
   * it; same race guard and single-flight as `@Cached`. Set headers with `setCacheHeaders`.
   */
  async aside(request: AsideRequest): Promise<CacheOutcome> {
    const load = async () => Buffer.from(JSON.stringify((await request.load()) ?? null));
    if (!this.settings.enabled) return { body: await load(), status: 'BYPASS' };
    const key = variantKey(request.namespace, request.parts, request.label);
    const { body, tier, stale } = await this.getOrLoad(request.namespace, key, load, {
      isList: true,
      ttlSeconds: request.ttlSeconds,
      staleIfError: request.staleIfError,
    });
    if (stale) return { body, status: 'STALE', ageSeconds: stale.ageSeconds };
    return tier ? { body, status: 'HIT', tier } : { body, status: 'MISS' };
  }

  /**
   * Both tiers, then `load` on a miss (one load per key in this process at a time), stored through
   * the race guard. `known`: Redis was already read for this request and missed (peekL2).
   */
  async getOrLoad(
    namespace: string,
    key: string,
    load: () => Promise<Buffer>,
    options: LoadOptions,
    known?: KnownMiss,
  ): Promise<CacheResult> {
    try {
      return await this.lookupOrLoad(namespace, key, load, options, known);
    } catch (error) {
      const stale = options.staleIfError?.(error) ? this.local.entries.getStale(key) : undefined;
      if (!stale) throw error;
      this.stats.stale(namespace);
      return { body: stale.body, entry: stale, stale: { ageSeconds: Math.floor(stale.ageMs / 1000) } };
    }
  }

  /** Starts a refresh-ahead of an entry just served, if it is due (the caller holds the loader). */
  refreshIfDue(
    namespace: string,
    key: string,
    entry: { l2ExpiresAt?: number; refreshStarted?: boolean },
    load: () => Promise<Buffer>,
    options: LoadOptions,
  ): void {
    this.refreshAhead.ifDue({ namespace, key, ...options }, entry, async (l2Generation, l1Generation) => {
      await this.store(namespace, key, await load(), options, l2Generation, l1Generation);
    });
  }

  private async lookupOrLoad(
    namespace: string,
    key: string,
    load: () => Promise<Buffer>,
    options: LoadOptions,
    known?: KnownMiss,
  ): Promise<CacheResult> {
    if (this.invalidator.isPending(namespace)) {
      // Redis may still hold entries this instance's own write made stale: read the source.
      this.stats.miss(namespace);
      const body = await load();
      return { body, entry: tagged(body) };
    }
    const useL1 = !(options.sharedOnly && this.l2.enabled);
    const l1Entry = useL1 ? this.local.peek(key, options.coding) : undefined;
    if (l1Entry) {
      this.stats.hit(namespace, 'l1');
      this.refreshIfDue(namespace, key, l1Entry, load, options);
      return { body: l1Entry.body, entry: l1Entry, tier: 'l1' };
    }
    const l1Generation = known?.l1Generation ?? this.local.generation(namespace);
    let l2Generation = known?.l2Generation;
    const read = known ? undefined : await this.l2.read(namespace, key);
    if (read && read !== REDIS_UNAVAILABLE) {
      const { body, pttl } = read;
      if (body) {
        this.stats.hit(namespace, 'l2');
        const etag = useL1 ? this.local.keep(namespace, key, body, pttl, l1Generation, options.isList) : undefined;
        this.refreshIfDue(namespace, key, { l2ExpiresAt: pttl > 0 ? Date.now() + pttl : undefined }, load, options);
        return { body, entry: tagged(body, etag), tier: 'l2' };
      }
      l2Generation = read.generation;
    }
    this.stats.miss(namespace);
    const { promise } = this.local.flights.run(namespace, key, async () => {
      const body = await load();
      return { body, etag: await this.store(namespace, key, body, options, l2Generation, l1Generation) };
    });
    const { body, etag } = await promise;
    return { body, entry: tagged(body, etag) };
  }

  /** Stores many entries of one namespace in one pipelined round trip (warm-up); returns how many were stored. */
  async storeMany(
    namespace: string,
    entries: { key: string; body: Buffer; isList?: boolean }[],
    generation: string | undefined,
    ttlSeconds?: number,
  ): Promise<number> {
    if (!this.l2.enabled) {
      const l1Generation = this.local.generation(namespace);
      return entries.filter((e) => this.local.keep(namespace, e.key, e.body, this.ttlMs(ttlSeconds), l1Generation, !!e.isList)).length;
    }
    if (generation === undefined) return 0;
    const stored = await this.l2.store(
      namespace,
      entries.map((e) => ({ key: e.key, body: e.body, ttlMs: this.ttlMs(ttlSeconds), isList: !!e.isList })),
      generation,
    );
    return stored === REDIS_UNAVAILABLE ? 0 : stored;
  }

  /** Keeps `base`'s values in Redis in the codec's form (see L2Codec); the tiers above only see bodies. */
  useL2Codec(base: string, codec: L2Codec): void {
    this.l2.useCodec(base, codec);
  }

  /** The namespace's current L2 generation, read before querying the source for a bulk store. */
  async generation(namespace: string): Promise<string | undefined> {
    const generation = await this.l2.generation(namespace);
    return generation === REDIS_UNAVAILABLE ? undefined : generation;
  }

  /** A TTL with jitter, so keys written together do not expire together. */
  ttlMs(ttlSeconds?: number): number {
    const base = (ttlSeconds ?? this.settings.defaultTtlSeconds) * 1000;
    return Math.max(1, Math.round(base * (1 - Math.random() * this.settings.ttlJitter)));
  }

  private async store(
    namespace: string,
    key: string,
    body: Buffer,
    options: LoadOptions,
    l2Generation: string | undefined,
    l1Generation: number,
  ): Promise<string | undefined> {
    const ttlMs = this.ttlMs(options.ttlSeconds);
    if (!this.l2.enabled) return this.local.keep(namespace, key, body, ttlMs, l1Generation, options.isList);
    if (l2Generation === undefined) return undefined; // Redis was down at lookup: nothing safe to compare against
    const stored = await this.l2.store(namespace, [{ key, body, ttlMs, isList: options.isList }], l2Generation);
    if (stored === 1 && !options.sharedOnly) return this.local.keep(namespace, key, body, ttlMs, l1Generation, options.isList);
    return undefined;
  }
}

/** A body with its tag: the one L1 computed as it stored these very bytes, else one computed now. */
function tagged(body: Buffer, etag?: string): CachedBody {
  return { body, etag: etag ?? entityTag(body) };
}
