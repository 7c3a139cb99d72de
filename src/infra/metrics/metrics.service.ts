import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { CacheStats } from '../cache/core/cache-stats';
import { ChangeFeed } from '../cache/feed/change-feed.service';
import { CacheInspector } from '../cache/cache-inspector';
import { registerEventLoopMetrics } from './event-loop-metrics';
import { registerFeedMetrics } from './feed-metrics';

/** Prometheus metrics, one registry per app instance (tests run several in one process). */
@Injectable()
export class MetricsService implements OnModuleDestroy {
  readonly registry = new Registry();
  private readonly stopEventLoopMetrics = registerEventLoopMetrics(this.registry);
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;

  constructor(stats: CacheStats, cache: CacheInspector, feed: ChangeFeed) {
    collectDefaultMetrics({ register: this.registry });
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
    // Read from the cache's plain counters at scrape time: nothing extra on the hot path.
    new Counter({
      name: 'cache_hits_total',
      help: 'Cache hits by tier and namespace',
      labelNames: ['tier', 'namespace'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [namespace, c] of stats.entries()) {
          this.inc({ tier: 'l1', namespace }, c.l1Hits);
          this.inc({ tier: 'l2', namespace }, c.l2Hits);
        }
      },
    });
    new Counter({
      name: 'cache_misses_total',
      help: 'Cache misses (loads from MongoDB) by namespace',
      labelNames: ['namespace'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [namespace, c] of stats.entries()) this.inc({ namespace }, c.misses);
      },
    });
    new Gauge({
      name: 'cache_l1_entries',
      help: 'Entries in the in-process tier',
      registers: [this.registry],
      collect() {
        this.set(cache.l1Summary().entries);
      },
    });
    new Gauge({
      name: 'cache_l1_bytes',
      help: "Bytes the in-process tier's bound counts: its entries' bytes, keys, tags and bookkeeping",
      registers: [this.registry],
      collect() {
        this.set(cache.l1Summary().bytes);
      },
    });
    new Gauge({
      name: 'cache_l1_held_bytes',
      help: 'Bytes the in-process tier holds: its segments, in use or ready for reuse, and its bookkeeping',
      registers: [this.registry],
      collect() {
        this.set(cache.l1Summary().heldBytes);
      },
    });
    registerFeedMetrics(this.registry, feed);
  }

  onModuleDestroy() {
    this.stopEventLoopMetrics();
  }
}
