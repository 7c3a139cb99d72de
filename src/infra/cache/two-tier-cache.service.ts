import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { baseNamespace, cacheKeys, logicalKey, redisKey, redisKeyPattern, variantKey } from './core/cache-keys';
import { CacheBus } from './redis/cache-bus';
import { CACHE_SETTINGS, CacheSettings } from './core/cache.settings';
import { CacheStats, CacheTier } from './core/cache-stats';
import { entityTag } from './core/entity-tag';
import { L1Entry, L1Store, l1TtlMs } from './core/l1-store';
import type { L2Codec } from './core/l2-codec';
import { inRefreshWindow, refreshLockKey } from './core/refresh-ahead';
import { REDIS_UNAVAILABLE, RedisConnection } from './redis/redis.connection';
import { takeRefreshLock } from './redis/refresh-lock';
import { withCacheScripts } from './redis/redis-scripts';
import { SingleFlight } from './core/single-flight';

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
}

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
 * - every instance drops its L1 copies when another instance invalidates (pub/sub bus);
 * - with Redis down, reads go to the source (no L1 either, since invalidations could be missed)
 *   and invalidations are replayed once Redis is back.
 */
@Injectable()
export class TwoTierCache implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Cache');
  readonly l1: L1Store;
  private readonly flights = new SingleFlight<Buffer>();
  /** Invalidations that could not reach Redis (or be published); retried until they land. */
  private readonly pending = new Map<string, Set<string>>();
  /** Refresh-ahead reloads running in this process, by key. */
  private readonly refreshing = new Map<string, Promise<void>>();
  private replayTimer?: NodeJS.Timeout;
  private replaying = false;
  /** Stored forms in Redis, by base namespace (see useL2Codec). */
  private readonly codecs = new Map<string, L2Codec>();

  constructor(
    @Inject(CACHE_SETTINGS) readonly settings: CacheSettings,
    private readonly redis: RedisConnection,
    private readonly bus: CacheBus,
    readonly stats: CacheStats,
  ) {
    this.l1 = new L1Store({
      maxEntries: settings.l1MaxEntries,
      maxBytes: settings.l1MaxBytes,
      staleGraceMs: settings.staleGraceMs,
      compressMinBytes: settings.compressMinBytes,
    });
  }

  onModuleInit() {
    this.bus.onMessage((message) => {
      if (message.kind === 'invalidate') this.dropLocal(message.namespace, message.keys);
      else this.clearLocal(message.prefix);
    });
    // Either way invalidations may have been missed meanwhile: start L1 afresh, replay ours.
    const onOutageChange = (up: boolean) => {
      this.clearLocal('');
      if (up) void this.replayPending();
    };
    this.bus.onConnectionChange(onOutageChange);
    this.redis.onAvailabilityChange(onOutageChange);
  }

  onApplicationShutdown() {
    clearInterval(this.replayTimer);
  }

  /** L1 serves only when it can be kept coherent: alone (no Redis), or with Redis and the bus up. */
  get l1Usable(): boolean {
    return this.settings.l1Enabled && (!this.redis.enabled || (this.bus.connected && this.redis.available));
  }

  /** The L1 tier alone, for the interceptor's fast path. */
  peekL1(key: string): L1Entry | undefined {
    if (!this.l1Usable) return undefined;
    return this.l1.get(key);
  }

  /**
   * The L2 tier alone, for the fast path: one round trip of two commands on the entry's own key
   * (GET for the body, PTTL so the L1 copy never outlives it), promoted to L1; GET alone when L1
   * is off or bypassed. A hit needs no generation: the value in Redis is what the race guard let
   * through, and a write deletes it.
   * Undefined on a miss, when Redis cannot answer, or while this instance's own invalidation of
   * the namespace has not reached Redis (Redis may still hold what that write made stale).
   */
  async peekL2(namespace: string, key: string, isList: boolean): Promise<CachedBody | undefined> {
    if (!this.redis.enabled || this.pending.has(namespace)) return undefined;
    const l1Generation = this.l1.generation(namespace);
    const l2Key = this.l2Key(key);
    // Both written before either reply is read: one round trip, without a Pipeline object per hit.
    // PTTL only serves the promotion: with L1 off (or bypassed), GET alone.
    const promote = this.l1Usable;
    const reply = await this.redis.run((redis) => Promise.all([redis.getBuffer(l2Key), promote ? redis.pttl(l2Key) : -1]));
    if (reply === REDIS_UNAVAILABLE) return undefined;
    const [stored, pttl] = reply;
    if (!stored) return undefined;
    const body = this.fromL2(key, stored);
    this.stats.hit(namespace, 'l2');
    const promoted = promote && this.storeL1(namespace, key, body, pttl, l1Generation, isList) ? this.l1.get(key) : undefined;
    return withTag(body, promoted).entry;
  }

  get enabled(): boolean {
    return this.settings.enabled;
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

  /** The in-process tier's figures, for stats and metrics. */
  l1Summary() {
    return {
      enabled: this.settings.l1Enabled,
      serving: this.l1Usable,
      entries: this.l1.size,
      bytes: this.l1.bytes,
      maxEntries: this.settings.l1MaxEntries,
      maxBytes: this.settings.l1MaxBytes,
    };
  }

  /** A fresh L1 copy of `key` and its time left, for the admin API. */
  l1Entry(key: string): { body: Buffer; ttlMs: number } | undefined {
    const entry = this.l1.get(key);
    return entry && { body: entry.body, ttlMs: this.l1.remainingTtlMs(key) };
  }

  l1Keys(prefix = ''): string[] {
    return this.l1.keys().filter((k) => k.startsWith(prefix));
  }

  async getOrLoad(namespace: string, key: string, load: () => Promise<Buffer>, options: LoadOptions): Promise<CacheResult> {
    try {
      return await this.lookupOrLoad(namespace, key, load, options);
    } catch (error) {
      const stale = options.staleIfError?.(error) ? this.l1.getStale(key) : undefined;
      if (!stale) throw error;
      this.stats.stale(namespace);
      return { body: stale.body, entry: stale, stale: { ageSeconds: Math.floor(stale.ageMs / 1000) } };
    }
  }

  private async lookupOrLoad(namespace: string, key: string, load: () => Promise<Buffer>, options: LoadOptions): Promise<CacheResult> {
    if (this.pending.has(namespace)) {
      // Redis may still hold entries this instance's own write made stale: read the source.
      this.stats.miss(namespace);
      return withTag(await load());
    }
    const useL1 = !(options.sharedOnly && this.redis.enabled);
    const l1Entry = useL1 ? this.peekL1(key) : undefined;
    if (l1Entry) {
      this.stats.hit(namespace, 'l1');
      this.refreshIfDue(namespace, key, l1Entry, load, options);
      return { body: l1Entry.body, entry: l1Entry, tier: 'l1' };
    }
    const l1Generation = this.l1.generation(namespace);
    const l2 = await this.redis.run((redis) =>
      redis
        .pipeline()
        .getBuffer(this.l2Key(key))
        .pttl(this.l2Key(key))
        .get(this.l2Key(cacheKeys.generation(namespace)))
        .exec(),
    );
    let l2Generation: string | undefined;
    if (l2 !== REDIS_UNAVAILABLE && l2 && !l2.some(([error]) => error)) {
      const [[, stored], [, pttl], [, generation]] = l2 as [[null, Buffer | null], [null, number], [null, string | null]];
      if (stored) {
        const body = this.fromL2(key, stored);
        this.stats.hit(namespace, 'l2');
        const promoted = useL1 && this.storeL1(namespace, key, body, pttl, l1Generation, options.isList) ? this.l1.get(key) : undefined;
        this.refreshIfDue(namespace, key, promoted ?? { l2ExpiresAt: pttl > 0 ? Date.now() + pttl : undefined }, load, options);
        return { ...withTag(body, promoted), tier: 'l2' };
      }
      l2Generation = generation ?? '0';
    }
    this.stats.miss(namespace);
    const { promise } = this.flights.run(namespace, key, async () => {
      const body = await load();
      await this.store(namespace, key, body, options, l2Generation, l1Generation);
      return body;
    });
    const body = await promise;
    return withTag(body, useL1 ? this.l1.get(key) : undefined);
  }

  /**
   * For the fast path: a hit it should let through to Nest this once, because the entry is due
   * for a refresh-ahead and only the interceptor holds the loader.
   */
  wantsRefresh(key: string, entry: L1Entry, ttlSeconds?: number): boolean {
    return !entry.refreshStarted && !this.refreshing.has(key) && this.refreshDue(entry.l2ExpiresAt, ttlSeconds);
  }

  /**
   * Refresh-ahead: a read in the last CACHE_REFRESH_AHEAD_FRACTION of an entry's TTL reloads it
   * in the background, so a hot key is replaced before it expires instead of missing. Once per
   * entry in this process (single-flight by key) and once across instances: a copy another
   * instance already refreshed is taken from Redis, else a short SET NX lock picks the one that
   * loads. The reload stores through the same generation guard as a miss, with the generations
   * read before it queried the source: a write meanwhile discards it.
   */
  refreshIfDue(
    namespace: string,
    key: string,
    entry: { l2ExpiresAt?: number; refreshStarted?: boolean },
    load: () => Promise<Buffer>,
    options: LoadOptions,
  ): void {
    if (entry.refreshStarted || this.refreshing.has(key) || !this.refreshDue(entry.l2ExpiresAt, options.ttlSeconds)) return;
    entry.refreshStarted = true;
    const run = this.refresh(namespace, key, load, options)
      .catch((error: unknown) => this.logger.warn(`refresh-ahead of ${key} failed: ${(error as Error).message}`))
      .finally(() => this.refreshing.delete(key));
    this.refreshing.set(key, run);
  }

  /** The refresh-ahead of `key` running in this process, if any (tests and shutdown wait on it). */
  refreshInFlight(key: string): Promise<void> | undefined {
    return this.refreshing.get(key);
  }

  private refreshDue(l2ExpiresAt: number | undefined, ttlSeconds?: number): boolean {
    const ttlMs = (ttlSeconds ?? this.settings.defaultTtlSeconds) * 1000;
    return this.redis.enabled && inRefreshWindow(l2ExpiresAt, ttlMs, this.settings.refreshAheadFraction);
  }

  private async refresh(namespace: string, key: string, load: () => Promise<Buffer>, options: LoadOptions): Promise<void> {
    const useL1 = !(options.sharedOnly && this.redis.enabled);
    const l1Generation = this.l1.generation(namespace);
    const l2Key = this.l2Key(key);
    const state = await this.redis.run((redis) =>
      redis
        .pipeline()
        .getBuffer(l2Key)
        .pttl(l2Key)
        .get(this.l2Key(cacheKeys.generation(namespace)))
        .exec(),
    );
    if (state === REDIS_UNAVAILABLE || !state) return;
    const [[, stored], [, pttl], [, generation]] = state as [[null, Buffer | null], [null, number], [null, string | null]];
    if (stored && pttl > 0 && !this.refreshDue(Date.now() + pttl, options.ttlSeconds)) {
      // Another instance reloaded it already.
      if (useL1) this.storeL1(namespace, key, this.fromL2(key, stored), pttl, l1Generation, options.isList);
      return;
    }
    const ttlMs = (options.ttlSeconds ?? this.settings.defaultTtlSeconds) * 1000;
    const lockMs = Math.max(1000, Math.round(ttlMs * this.settings.refreshAheadFraction));
    const locked = await this.redis.run((redis) => takeRefreshLock(redis, this.l2Key(refreshLockKey(key)), lockMs));
    if (locked !== true) return;
    const fresh = await load();
    await this.store(namespace, key, fresh, options, generation ?? '0', l1Generation);
    this.logger.debug(`refreshed ${key} ahead of its expiry`);
  }

  /** Stores many entries of one namespace in one pipelined round trip (warm-up); returns how many were stored. */
  async storeMany(
    namespace: string,
    entries: { key: string; body: Buffer; isList?: boolean }[],
    generation: string | undefined,
    ttlSeconds?: number,
  ): Promise<number> {
    if (!this.redis.enabled) {
      const l1Generation = this.l1.generation(namespace);
      return entries.filter((e) => this.storeL1(namespace, e.key, e.body, this.ttlMs(ttlSeconds), l1Generation, !!e.isList)).length;
    }
    if (generation === undefined) return 0;
    const result = await this.redis.run((client) => {
      const redis = withCacheScripts(client);
      const pipeline = redis.pipeline() as unknown as ReturnType<typeof redis.pipeline> & {
        storeIfCurrent: (...args: unknown[]) => unknown;
      };
      for (const e of entries) {
        pipeline.storeIfCurrent(
          this.l2Key(e.key),
          this.l2Key(cacheKeys.generation(namespace)),
          this.l2Key(cacheKeys.listIndex(namespace)),
          generation,
          this.toL2(namespace, e.body),
          this.ttlMs(ttlSeconds),
          this.settings.listVariantsMax,
          e.isList ? '1' : '0',
        );
      }
      return pipeline.exec();
    });
    if (result === REDIS_UNAVAILABLE || !result) return 0;
    return result.filter(([error, stored]) => !error && stored === 1).length;
  }

  /** The namespace's current L2 generation, read before querying the source for a bulk store. */
  async generation(namespace: string): Promise<string | undefined> {
    const value = await this.redis.run((redis) => redis.get(this.l2Key(cacheKeys.generation(namespace))));
    return value === REDIS_UNAVAILABLE ? undefined : (value ?? '0');
  }

  /**
   * Removes the given ids' keys and every list variant of the namespace from both tiers on every
   * instance. Resolves once Redis has applied it (or the invalidation is queued while Redis is down).
   */
  async invalidate(namespace: string, ids: readonly string[] = []): Promise<void> {
    const idKeys = ids.map((id) => cacheKeys.id(namespace, id));
    const applied = await this.invalidateL2(namespace, idKeys);
    this.dropLocal(namespace, idKeys);
    const published = applied && (await this.bus.publish({ kind: 'invalidate', namespace, keys: idKeys }));
    if (!published && this.redis.enabled) this.queuePending(namespace, idKeys);
  }

  /**
   * Deletes one key from both tiers everywhere, race-safe like `invalidate`: the namespace
   * generation moves, so a fill that read the source before cannot store after. Queued and
   * retried like an invalidation when Redis cannot take it now.
   */
  async delete(key: string): Promise<boolean> {
    const namespace = cacheKeys.namespaceOf(key);
    const removed = await this.redis.run((redis) =>
      withCacheScripts(redis).deleteKey(this.l2Key(cacheKeys.generation(namespace)), this.l2Key(key)),
    );
    this.l1.delete(key);
    this.flights.forget(namespace);
    const published = removed !== REDIS_UNAVAILABLE && (await this.bus.publish({ kind: 'invalidate', namespace, keys: [key] }));
    if (!published && this.redis.enabled) this.queuePending(namespace, [key]);
    return removed !== REDIS_UNAVAILABLE && removed > 0;
  }

  /**
   * Deletes every key under `prefix` (all the deployment's keys when empty) from both tiers
   * everywhere; SCAN-based (every master of a Cluster), admin use only.
   */
  async clear(prefix = ''): Promise<number> {
    let removed = 0;
    const pattern = this.l2Pattern(prefix);
    const result = await this.redis.run(async (redis) => {
      let cursor = '0';
      do {
        const page = await this.redis.scanPage(pattern, cursor, 500);
        if (page === REDIS_UNAVAILABLE) throw new Error('SCAN failed');
        const [next, l2Keys] = page;
        cursor = next;
        const keys = l2Keys.map((k) => this.fromL2Key(k)).filter((k): k is string => k !== undefined);
        // Generations first, so a fill in flight cannot store between the delete and the bump.
        const byNamespace = new Map<string, string[]>();
        for (const key of keys) {
          const ns = cacheKeys.namespaceOf(key);
          byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), key]);
        }
        await Promise.all([...byNamespace.keys()].map((ns) => redis.incr(this.l2Key(cacheKeys.generation(ns)))));
        // One DEL per namespace: on a Cluster its keys share a slot, so the DEL stays single-slot.
        const counts = await Promise.all(
          [...byNamespace.values()].map((group) => {
            const deletable = group.filter((k) => !k.endsWith(':meta:gen'));
            return deletable.length ? redis.del(...deletable.map((k) => this.l2Key(k))) : 0;
          }),
        );
        removed += counts.reduce((sum, n) => sum + n, 0);
      } while (cursor !== '0');
      return removed;
    });
    const localRemoved = this.clearLocal(prefix);
    await this.bus.publish({ kind: 'clear', prefix });
    return result === REDIS_UNAVAILABLE ? localRemoved : removed;
  }

  /** The cache-mechanism project's backup(): re-syncs every L1 entry with Redis (updated, or dropped when gone there). */
  async refreshL1(): Promise<{ checked: number; updated: number; dropped: number }> {
    const keys = this.l1.keys();
    let updated = 0;
    let dropped = 0;
    // Batches of one namespace each: on a Cluster a pipeline must stay within one slot.
    const batches: string[][] = [];
    const byNamespace = new Map<string, string[]>();
    for (const key of keys) {
      const ns = cacheKeys.namespaceOf(key);
      const group = byNamespace.get(ns) ?? [];
      if (group.length === 0) byNamespace.set(ns, group);
      group.push(key);
      if (group.length === 200) byNamespace.delete(ns);
      if (group.length === 1) batches.push(group);
    }
    for (const batch of batches) {
      const generations = new Map(batch.map((k) => [k, this.l1.generation(cacheKeys.namespaceOf(k))]));
      const values = await this.redis.run((redis) => {
        const pipeline = redis.pipeline();
        for (const key of batch) pipeline.getBuffer(this.l2Key(key)).pttl(this.l2Key(key));
        return pipeline.exec();
      });
      if (values === REDIS_UNAVAILABLE || !values) break;
      const gone: string[] = [];
      batch.forEach((key, index) => {
        const stored = values[index * 2][1] as Buffer | null;
        const pttl = values[index * 2 + 1][1] as number;
        const ns = cacheKeys.namespaceOf(key);
        if (!stored) gone.push(key);
        else if (this.storeL1(ns, key, this.fromL2(key, stored), pttl, generations.get(key)!, key.startsWith(`${ns}:list`))) updated++;
      });
      // Dropping bumps the namespace generation, so it comes after this batch's stores.
      for (const key of gone) this.l1.delete(key);
      dropped += gone.length;
    }
    return { checked: keys.length, updated, dropped };
  }

  /**
   * Copies the Redis entries under `prefix` (a namespace's `<ns>:id:`, say) into this instance's L1
   * until L1 is full (CACHE_L1_MAX_BYTES / CACHE_L1_MAX_ENTRIES): for entries another instance bulk
   * stored (a warm-up). SCAN pages of 1,000, one pipelined GET+PTTL round trip per page; the same
   * generation guard as any fill. `onPage` reports progress. Nothing when L1 cannot serve.
   */
  async preloadL1(prefix: string, onPage?: (loaded: number) => void): Promise<{ loaded: number; full: boolean }> {
    let loaded = 0;
    let cursor = '0';
    const full = () => this.l1.bytes >= this.settings.l1MaxBytes * 0.98 || this.l1.size >= this.settings.l1MaxEntries;
    do {
      if (!this.l1Usable || full()) break;
      const page = await this.redis.scanPage(this.l2Pattern(prefix), cursor, 1000);
      if (page === REDIS_UNAVAILABLE) break;
      cursor = page[0];
      const keys = page[1].map((k) => this.fromL2Key(k)).filter((k): k is string => k !== undefined);
      if (keys.length === 0) continue;
      const generations = new Map(keys.map((k) => [k, this.l1.generation(cacheKeys.namespaceOf(k))]));
      const values = await this.redis.run((redis) => {
        const pipeline = redis.pipeline();
        for (const key of keys) pipeline.getBuffer(this.l2Key(key)).pttl(this.l2Key(key));
        return pipeline.exec();
      });
      if (values === REDIS_UNAVAILABLE || !values) break;
      keys.forEach((key, i) => {
        const stored = values[i * 2][1] as Buffer | null;
        const ns = cacheKeys.namespaceOf(key);
        if (stored && this.storeL1(ns, key, this.fromL2(key, stored), values[i * 2 + 1][1] as number, generations.get(key)!, false))
          loaded++;
      });
      onPage?.(loaded);
    } while (cursor !== '0');
    return { loaded, full: full() };
  }

  /**
   * Keeps the entries of `base` (a base namespace: its per-caller namespaces too) in Redis in the
   * codec's form, e.g. a compact form of a known JSON shape; bodies it does not know stay as they are.
   */
  useL2Codec(base: string, codec: L2Codec): void {
    this.codecs.set(base, codec);
  }

  /** The body of what Redis holds under the logical `key` (the admin API shows it too). */
  fromL2(key: string, stored: Buffer): Buffer {
    return this.codecs.get(baseNamespace(cacheKeys.namespaceOf(key)))?.decode(stored) ?? stored;
  }

  private toL2(namespace: string, body: Buffer): Buffer {
    return this.codecs.get(baseNamespace(namespace))?.encode(body) ?? body;
  }

  /**
   * The key in Redis: the deployment's prefix (CACHE_KEY_PREFIX) in front of the logical key, so
   * deployments sharing a Redis never meet. Empty by default, which keeps the store project's names. On a
   * Cluster the namespace is a hash tag (`{games}:id:1`), so its keys share a slot (redisKey).
   * Everything else (L1, the bus, callers) speaks logical keys.
   */
  l2Key(key: string): string {
    return redisKey(this.settings.keyPrefix, key, this.redis.isCluster);
  }

  /** The logical key of a name found in Redis; undefined when it is not one of this deployment's. */
  fromL2Key(name: string): string | undefined {
    return logicalKey(this.settings.keyPrefix, name, this.redis.isCluster);
  }

  /** SCAN pattern for the names in Redis of the logical keys starting with `prefix`. */
  l2Pattern(prefix: string): string {
    return redisKeyPattern(this.settings.keyPrefix, prefix, this.redis.isCluster);
  }

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
  ) {
    const ttlMs = this.ttlMs(options.ttlSeconds);
    if (!this.redis.enabled) {
      this.storeL1(namespace, key, body, ttlMs, l1Generation, options.isList);
      return;
    }
    if (l2Generation === undefined) return; // Redis was down at lookup: nothing safe to compare against
    const stored = await this.redis.run((redis) =>
      withCacheScripts(redis).storeIfCurrent(
        this.l2Key(key),
        this.l2Key(cacheKeys.generation(namespace)),
        this.l2Key(cacheKeys.listIndex(namespace)),
        l2Generation,
        this.toL2(namespace, body),
        ttlMs,
        this.settings.listVariantsMax,
        options.isList ? '1' : '0',
      ),
    );
    if (stored === 1 && !options.sharedOnly) this.storeL1(namespace, key, body, ttlMs, l1Generation, options.isList);
  }

  /** L1 never outlives the L2 copy, nor its own TTL. */
  private storeL1(namespace: string, key: string, body: Buffer, l2TtlMs: number, generation: number, isList: boolean): boolean {
    const ttlMs = l1TtlMs(l2TtlMs, this.settings.l1TtlSeconds);
    if (!this.l1Usable || ttlMs === undefined) return false;
    const l2ExpiresAt = l2TtlMs > 0 ? Date.now() + l2TtlMs : undefined;
    return this.l1.set(key, { body, namespace, l2ExpiresAt }, ttlMs, generation, isList);
  }

  private async invalidateL2(namespace: string, idKeys: string[], options: { probe?: boolean } = {}): Promise<boolean> {
    const result = await this.redis.run(
      (redis) =>
        withCacheScripts(redis).invalidateNamespace(
          2 + idKeys.length,
          this.l2Key(cacheKeys.generation(namespace)),
          this.l2Key(cacheKeys.listIndex(namespace)),
          ...idKeys.map((k) => this.l2Key(k)),
        ),
      options,
    );
    return result !== REDIS_UNAVAILABLE;
  }

  private dropLocal(namespace: string, keys: string[]) {
    this.l1.invalidate(namespace, keys);
    this.flights.forget(namespace);
  }

  private clearLocal(prefix: string): number {
    this.flights.forgetAll();
    return this.l1.clear(prefix);
  }

  /** Retried every 100 ms (as the breaker lets calls through) until applied and published. */
  private queuePending(namespace: string, idKeys: string[]) {
    let keys = this.pending.get(namespace);
    if (!keys) this.pending.set(namespace, (keys = new Set()));
    for (const key of idKeys) keys.add(key);
    if (!this.replayTimer) {
      this.replayTimer = setInterval(() => void this.replayPending(), 100);
      this.replayTimer.unref();
    }
  }

  private async replayPending() {
    if (this.replaying) return;
    this.replaying = true;
    try {
      for (const [namespace, keys] of [...this.pending]) {
        const idKeys = [...keys];
        // Probes: a replay is the first thing to land when Redis answers again.
        if (!(await this.invalidateL2(namespace, idKeys, { probe: true }))) return;
        // Fills that started before the replay must not store what the outage left behind.
        this.dropLocal(namespace, idKeys);
        if (!(await this.bus.publish({ kind: 'invalidate', namespace, keys: idKeys }, { probe: true }))) return;
        // Ids queued while this replay ran stay pending for the next round.
        if (this.pending.get(namespace) === keys && keys.size === idKeys.length) this.pending.delete(namespace);
        this.logger.log(`replayed a pending invalidation of ${namespace} (${idKeys.length} ids)`);
      }
    } finally {
      this.replaying = false;
      if (this.pending.size === 0) {
        clearInterval(this.replayTimer);
        this.replayTimer = undefined;
      }
    }
  }
}

/** The L1 entry when it holds these very bytes (its tag was computed when it entered), else a tag computed now. */
function withTag(body: Buffer, entry?: L1Entry): { body: Buffer; entry: CachedBody } {
  return { body, entry: entry && (entry.body === body || entry.body.equals(body)) ? entry : { body, etag: entityTag(body) } };
}
