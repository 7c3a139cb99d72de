import { Inject, Injectable } from '@nestjs/common';
import { CACHE_SETTINGS, CacheSettings } from './core/cache.settings';
import { LocalTier } from './local-tier';
import { groupByNamespace, L2Tier } from './redis/l2-tier';
import { REDIS_UNAVAILABLE, type Unavailable } from './redis/redis.connection';

/**
 * Copies entries another instance bulk stored in Redis (a warm-up) into this instance's L1, so the
 * first reads after it are memory hits here too.
 */
@Injectable()
export class L1Preloader {
  constructor(
    @Inject(CACHE_SETTINGS) private readonly settings: CacheSettings,
    private readonly local: LocalTier,
    private readonly l2: L2Tier,
  ) {}

  /**
   * The Redis entries under `prefix` (a namespace's `<ns>:id:`, say) into L1 until L1 is full
   * (CACHE_L1_MAX_BYTES / CACHE_L1_MAX_ENTRIES): SCAN pages of 1,000, one GET/PTTL round trip per
   * page, each copy guarded by the namespace's L1 generation like any fill. `onPage` reports
   * progress. Nothing when L1 cannot serve. A page Redis does not answer is asked again (three
   * tries); after that the copy stops and says so (`interrupted`): the rest is read from Redis.
   */
  async preload(prefix: string, onPage?: (loaded: number) => void): Promise<{ loaded: number; full: boolean; interrupted: boolean }> {
    const { l1MaxBytes, l1MaxEntries } = this.settings;
    const { entries } = this.local;
    // Full once it holds all it may, or once it starts evicting (what a preload would push out is as warm).
    const evictionsBefore = entries.evictions;
    const full = () => entries.heldBytes >= l1MaxBytes * 0.98 || entries.size >= l1MaxEntries || entries.evictions > evictionsBefore;
    let loaded = 0;
    let cursor = '0';
    do {
      if (!this.local.usable || full()) break;
      const page = await withRetries(() => this.l2.scanKeys(prefix, cursor, 1000));
      if (page === REDIS_UNAVAILABLE) return { loaded, full: full(), interrupted: true };
      cursor = page.cursor;
      for (const [namespace, keys] of groupByNamespace(page.keys)) {
        const generation = this.local.generation(namespace);
        const values = await withRetries(() => this.l2.readMany(keys));
        if (values === REDIS_UNAVAILABLE) return { loaded, full: full(), interrupted: true };
        keys.forEach((key, i) => {
          const { body, pttl } = values[i];
          if (body && this.local.keep(namespace, key, body, pttl, generation, false)) loaded++;
        });
      }
      onPage?.(loaded);
    } while (cursor !== '0');
    return { loaded, full: full(), interrupted: false };
  }
}

/** Pause between tries of a page Redis did not answer (a timeout or a breaker already open). */
export const PRELOAD_RETRY_MS = 250;
const PRELOAD_TRIES = 3;

async function withRetries<T>(read: () => Promise<T | Unavailable>): Promise<T | Unavailable> {
  let result = await read();
  for (let tried = 1; result === REDIS_UNAVAILABLE && tried < PRELOAD_TRIES; tried++) {
    await new Promise((resolve) => setTimeout(resolve, PRELOAD_RETRY_MS));
    result = await read();
  }
  return result;
}
