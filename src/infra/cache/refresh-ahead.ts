import { Inject, Injectable, Logger } from '@nestjs/common';
import { CACHE_SETTINGS, CacheSettings } from './core/cache.settings';
import { LocalTier } from './local-tier';
import { L2Tier } from './redis/l2-tier';
import { REDIS_UNAVAILABLE } from './redis/redis.connection';

/** Reloads the source and stores the result through the race guard, with the generations read before. */
export type Reload = (l2Generation: string, l1Generation: number) => Promise<void>;

export interface RefreshTarget {
  namespace: string;
  key: string;
  isList: boolean;
  /** Skip L1 (records that authorize): the reload only refreshes Redis. */
  sharedOnly?: boolean;
  ttlSeconds?: number;
}

/**
 * Refresh-ahead: a read in the last CACHE_REFRESH_AHEAD_FRACTION of an entry's TTL reloads it in
 * the background, so a hot key is replaced before it expires instead of missing. Once per entry
 * in this process (by key) and once across instances: a copy another instance already refreshed
 * is taken from Redis, else a short SET NX lock picks the one that reloads. The reload stores
 * through the same generation guard as a miss, with the generations read before it queried the
 * source: a write meanwhile discards it.
 */
@Injectable()
export class RefreshAhead {
  private readonly logger = new Logger('Cache');
  /** Reloads running in this process, by key. */
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    @Inject(CACHE_SETTINGS) private readonly settings: CacheSettings,
    private readonly local: LocalTier,
    private readonly l2: L2Tier,
  ) {}

  /**
   * For the fast path: a hit it should let through this once, because the entry is due for a
   * refresh and only the interceptor holds the loader.
   */
  wants(key: string, entry: { l2ExpiresAt?: number; refreshStarted?: boolean }, ttlSeconds?: number): boolean {
    return !entry.refreshStarted && !this.running.has(key) && this.due(entry.l2ExpiresAt, ttlSeconds);
  }

  /** Starts the reload of an entry read now, if it is due and none started yet. */
  ifDue(target: RefreshTarget, entry: { l2ExpiresAt?: number; refreshStarted?: boolean }, reload: Reload): void {
    if (!this.wants(target.key, entry, target.ttlSeconds)) return;
    entry.refreshStarted = true;
    const run = this.refresh(target, reload)
      .catch((error: unknown) => this.logger.warn(`refresh-ahead of ${target.key} failed: ${(error as Error).message}`))
      .finally(() => this.running.delete(target.key));
    this.running.set(target.key, run);
  }

  /** The reload of `key` running in this process, if any (tests and shutdown wait on it). */
  inFlight(key: string): Promise<void> | undefined {
    return this.running.get(key);
  }

  private due(l2ExpiresAt: number | undefined, ttlSeconds?: number): boolean {
    const ttlMs = (ttlSeconds ?? this.settings.defaultTtlSeconds) * 1000;
    return this.l2.enabled && inRefreshWindow(l2ExpiresAt, ttlMs, this.settings.refreshAheadFraction);
  }

  private async refresh(target: RefreshTarget, reload: Reload): Promise<void> {
    const { namespace, key } = target;
    const l1Generation = this.local.generation(namespace);
    const state = await this.l2.read(namespace, key);
    if (state === REDIS_UNAVAILABLE) return;
    const { body, pttl, generation } = state;
    if (body && pttl > 0 && !this.due(Date.now() + pttl, target.ttlSeconds)) {
      // Another instance reloaded it already.
      if (!target.sharedOnly) this.local.keep(namespace, key, body, pttl, l1Generation, target.isList);
      return;
    }
    const ttlMs = (target.ttlSeconds ?? this.settings.defaultTtlSeconds) * 1000;
    const lockMs = Math.max(1000, Math.round(ttlMs * this.settings.refreshAheadFraction));
    if (!(await this.l2.takeRefreshLock(key, lockMs))) return;
    await reload(generation, l1Generation);
    this.logger.debug(`refreshed ${key} ahead of its expiry`);
  }
}

/**
 * Whether an entry whose Redis copy expires at `expiresAt` is in the last `fraction` of its
 * nominal TTL, where a read reloads it ahead of expiry.
 */
export function inRefreshWindow(expiresAt: number | undefined, ttlMs: number, fraction: number, now = Date.now()): boolean {
  return fraction > 0 && expiresAt !== undefined && expiresAt - now < ttlMs * fraction;
}
