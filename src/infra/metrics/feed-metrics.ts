import { Counter, Gauge, Registry } from 'prom-client';
import type { ChangeFeed } from '../cache/feed/change-feed.service';

const QUANTILES = [
  ['0.5', 'p50'],
  ['0.99', 'p99'],
] as const;

/** The change feed's figures, read from its snapshot at scrape time. */
export function registerFeedMetrics(registry: Registry, feed: ChangeFeed): void {
  const counter = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  counter(
    'cache_feed_events_applied_total',
    'MongoDB change events turned into cache invalidations by this instance',
    () => feed.processed,
  );
  counter(
    'cache_feed_events_skipped_total',
    "Change events not invalidated again because the API's own write had invalidated them (CACHE_FEED_SKIP_API_WRITES)",
    () => feed.snapshot().eventsSkipped,
  );
  counter('cache_feed_resumes_total', 'Change streams reopened from a stored resume token', () => feed.snapshot().resumes);
  counter(
    'cache_feed_history_lost_restarts_total',
    "Restarts because the resume token had left the oplog (the collection's namespaces were dropped)",
    () => feed.snapshot().historyLost,
  );
  new Gauge({
    name: 'cache_feed_leader',
    help: '1 while this instance follows the change streams for everyone',
    registers: [registry],
    collect() {
      this.set(feed.snapshot().leader ? 1 : 0);
    },
  });
  new Gauge({
    name: 'cache_feed_stream_open',
    help: 'While this instance follows: 1 per collection whose change stream is open, 0 while it is closed (reopening)',
    labelNames: ['collection'],
    registers: [registry],
    collect() {
      this.reset();
      const { state, collections, closed } = feed.snapshot();
      if (state !== 'following' && state !== 'reopening') return;
      for (const collection of collections) this.set({ collection }, closed.includes(collection) ? 0 : 1);
    },
  });
  new Gauge({
    name: 'cache_feed_backlog',
    help: 'Change events received and not applied yet',
    registers: [registry],
    collect() {
      this.set(feed.backlog);
    },
  });
  const percentiles = (name: string, help: string, pick: (s: ReturnType<ChangeFeed['snapshot']>) => Record<string, number | undefined>) =>
    new Gauge({
      name,
      help,
      labelNames: ['quantile'],
      registers: [registry],
      collect() {
        this.reset();
        const values = pick(feed.snapshot());
        for (const [quantile, key] of QUANTILES) {
          const ms = values[key];
          if (ms !== undefined) this.set({ quantile }, ms / 1000);
        }
      },
    });
  percentiles(
    'cache_feed_lag_seconds',
    "MongoDB's commit time of an event to its invalidation applied, over recent events (1 s resolution where events carry no wallTime)",
    (s) => s.lagMs,
  );
  percentiles(
    'cache_feed_apply_delay_seconds',
    'Event received from the stream to its invalidation applied, over recent events',
    (s) => s.applyDelayMs,
  );
}
