import { Inject, Injectable } from '@nestjs/common';
import { CACHE_SETTINGS, CacheSettings } from './core/cache.settings';
import type { Coding } from './core/encodings';
import { L1Entry, L1Store, l1TtlMs } from './core/l1-store';
import { SingleFlight } from './core/single-flight';
import { CacheBus } from './redis/cache-bus';
import { RedisConnection } from './redis/redis.connection';

/**
 * What this process holds of the cache: the L1 tier and the loads in flight. Both are dropped
 * together by invalidations (a request after a write never gets a copy, or joins a load, from
 * before it). L1 serves only while it can be kept coherent: alone (no Redis), or with Redis and
 * the invalidation bus up.
 */
@Injectable()
export class LocalTier {
  readonly entries: L1Store;
  /** Loads in flight: the body, and the tag L1 computed when it kept it. */
  readonly flights = new SingleFlight<{ body: Buffer; etag?: string }>();

  constructor(
    @Inject(CACHE_SETTINGS) private readonly settings: CacheSettings,
    private readonly redis: RedisConnection,
    private readonly bus: CacheBus,
  ) {
    this.entries = new L1Store({
      maxEntries: settings.l1MaxEntries,
      maxBytes: settings.l1MaxBytes,
      staleGraceMs: settings.staleGraceMs,
      compressMinBytes: settings.compressMinBytes,
    });
  }

  get usable(): boolean {
    return this.settings.l1Enabled && (!this.redis.enabled || (this.bus.connected && this.redis.available));
  }

  /** A fresh copy, while L1 may serve (`coding`: the form the reader's client prefers; see L1Store.get). */
  peek(key: string, coding?: Coding): L1Entry | undefined {
    return this.usable ? this.entries.get(key, coding) : undefined;
  }

  generation(namespace: string): number {
    return this.entries.generation(namespace);
  }

  /**
   * Keeps a copy whose Redis key has `l2TtlMs` left (L1 never outlives it, nor its own TTL), if
   * no invalidation of the namespace happened since `generation` was read. Answers the tag L1
   * computed for it, or undefined when it was not kept.
   */
  keep(namespace: string, key: string, body: Buffer, l2TtlMs: number, generation: number, isList: boolean): string | undefined {
    const ttlMs = l1TtlMs(l2TtlMs, this.settings.l1TtlSeconds);
    if (!this.usable || ttlMs === undefined) return undefined;
    const l2ExpiresAt = l2TtlMs > 0 ? Date.now() + l2TtlMs : undefined;
    return this.entries.set(key, { body, namespace, l2ExpiresAt }, ttlMs, generation, isList);
  }

  /** Drops the given keys and every list of the namespace, and forgets its loads in flight. */
  drop(namespace: string, keys: string[]): void {
    this.entries.invalidate(namespace, keys);
    this.flights.forget(namespace);
  }

  /** Drops one key (its namespace's fills in flight are discarded). */
  dropKey(namespace: string, key: string): void {
    this.entries.delete(key);
    this.flights.forget(namespace);
  }

  /** Empties L1 (or one key prefix) and forgets every load in flight. */
  clear(prefix = ''): number {
    this.flights.forgetAll();
    return this.entries.clear(prefix);
  }
}
