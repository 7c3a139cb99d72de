/**
 * The cache's front door: what features, the admin API and the app wiring use. Everything else
 * under src/infra/cache is its inside (a lint rule keeps features out of it).
 */
export { SharedCacheModule } from './cache.module';
export {
  TwoTierCache,
  type AsideRequest,
  type CachedBody,
  type CacheOutcome,
  type CacheResult,
  type LoadOptions,
} from './two-tier-cache.service';
export { CacheInvalidator } from './cache-invalidator';
export { CacheInspector } from './cache-inspector';
export { L1Preloader } from './l1-preloader';
export { CacheStats, ratio } from './core/cache-stats';
export { cacheKeys, canonicalQuery, isCacheKey, scopedNamespace } from './core/cache-keys';
export type { L2Codec } from './core/l2-codec';
export { Cached, CACHE_HEADERS } from './http/cache.decorators';
export { setCacheHeaders } from './http/cache-headers';
export { documentCachedOperations } from './http/cache-openapi';
export { L1FastPath } from './http/l1-fast-path';
export { REDIS_UNAVAILABLE, RedisConnection } from './redis/redis.connection';
export { ChangeFeedModule } from './feed/change-feed.module';
export { ChangeFeed } from './feed/change-feed.service';
export { documentSource, shownDocuments, type FeedChange, type FeedSource, type FeedTarget } from './feed/feed-source';
