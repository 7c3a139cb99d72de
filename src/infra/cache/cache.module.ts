import { Global, Module } from '@nestjs/common';
import { ENV } from '../../config/config.module';
import { CacheBus } from './redis/cache-bus';
import { CACHE_SETTINGS, cacheSettingsFrom } from './core/cache.settings';
import { CacheStats } from './core/cache-stats';
import { HttpCacheInterceptor } from './http/http-cache.interceptor';
import { L1FastPath } from './http/l1-fast-path';
import { RedisConnection } from './redis/redis.connection';
import { CacheInspector } from './cache-inspector';
import { L1Preloader } from './l1-preloader';
import { CacheInvalidator } from './cache-invalidator';
import { LocalTier } from './local-tier';
import { RefreshAhead } from './refresh-ahead';
import { L2Tier } from './redis/l2-tier';
import { TwoTierCache } from './two-tier-cache.service';

/**
 * The shared cache. Feature modules only declare policy: `@Cached(...)` on GET routes and
 * `CacheInvalidator.invalidate(...)` after writes.
 */
@Global()
@Module({
  providers: [
    {
      provide: CACHE_SETTINGS,
      inject: [ENV],
      useFactory: cacheSettingsFrom,
    },
    RedisConnection,
    CacheBus,
    CacheStats,
    LocalTier,
    L2Tier,
    CacheInvalidator,
    RefreshAhead,
    TwoTierCache,
    CacheInspector,
    L1Preloader,
    HttpCacheInterceptor,
    L1FastPath,
  ],
  exports: [
    TwoTierCache,
    CacheInvalidator,
    CacheInspector,
    L1Preloader,
    CacheStats,
    RedisConnection,
    CacheBus,
    HttpCacheInterceptor,
    L1FastPath,
    CACHE_SETTINGS,
  ],
})
export class SharedCacheModule {}
