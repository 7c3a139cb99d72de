import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { CACHE_SETTINGS, type CacheSettings } from '../cache/core/cache.settings';
import { CacheBus } from '../cache/redis/cache-bus';
import { RedisConnection } from '../cache/redis/redis.connection';
import { RateLimitRejections } from '../rate-limit/rate-limit-rejections';
import { MetricsService } from './metrics.service';

/**
 * The failure states deploy/prometheus alerts on that the other metrics lack: the Redis breaker,
 * the in-process tier bypassed for coherence, and rate-limit refusals. Gauges are read at scrape
 * time and counters kept from the components' own change reports: nothing on the request path.
 */
@Injectable()
export class FailureMetrics {
  constructor(
    metrics: MetricsService,
    redis: RedisConnection,
    bus: CacheBus,
    @Inject(CACHE_SETTINGS) settings: CacheSettings,
    rejections: RateLimitRejections,
  ) {
    const registers = [metrics.registry];

    // RedisConnection reports "unavailable" when its breaker opens (consecutive failures or
    // timeouts) or the connection drops, and "available" once a call or a reconnection succeeds.
    let breakerOpen = false;
    const opens = new Counter({
      name: 'cache_redis_breaker_opens_total',
      help: 'Times the cache stopped using Redis (breaker opened after failures or timeouts, or the connection dropped)',
      registers,
    });
    redis.onAvailabilityChange((available) => {
      if (!available && !breakerOpen) opens.inc();
      breakerOpen = !available;
    });
    new Gauge({
      name: 'cache_redis_breaker_open',
      help: '1 while the cache answers without Redis (breaker open or connection down), until Redis answers again',
      registers,
      collect() {
        this.set(redis.enabled && breakerOpen ? 1 : 0);
      },
    });

    // The bus reports its subscription down or lapsed (no PING answer within the coherence window):
    // invalidations may be missed, so the in-process tier is flushed and bypassed meanwhile.
    const l1Guarded = settings.l1Enabled && redis.enabled;
    const losses = new Counter({
      name: 'cache_l1_coherence_losses_total',
      help: 'Times the in-process tier was flushed and bypassed because its invalidation subscription was lost',
      registers,
    });
    bus.onConnectionChange((connected) => {
      if (!connected && l1Guarded) losses.inc();
    });
    new Gauge({
      name: 'cache_l1_coherence_lost',
      help: '1 while the in-process tier is bypassed because invalidations could be missed (subscription down or not answering)',
      registers,
      collect() {
        this.set(l1Guarded && !bus.connected ? 1 : 0);
      },
    });

    new Counter({
      name: 'rate_limit_rejections_total',
      help: 'Requests refused with 429, by limit (global: the per-IP ceiling on every route)',
      labelNames: ['limit'],
      registers,
      collect() {
        this.reset();
        for (const [limit, count] of rejections.entries()) this.inc({ limit }, count);
      },
    });
  }
}
