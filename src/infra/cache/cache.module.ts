import KeyvRedis from '@keyv/redis';
import { CacheModule as NestCacheModule } from '@nestjs/cache-manager';
import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ENV } from '../../config/config.module';
import type { Env } from '../../config/env';
import { CacheAdminController } from './cache-admin.controller';
import { CacheAdminService } from './cache-admin.service';
import { CacheBus } from './cache-bus';
import { CACHE_SETTINGS, cacheSettingsFrom } from './cache.settings';
import { CacheStats } from './cache-stats';
import { HttpCacheInterceptor } from './http-cache.interceptor';
import { L1FastPath } from './l1-fast-path';
import { RedisConnection } from './redis.connection';
import { TwoTierCache } from './two-tier-cache.service';

/**
 * The shared cache. Feature modules only declare policy: `@Cached(...)` on GET routes and
 * `TwoTierCache.invalidate(...)` after writes. `@nestjs/cache-manager`'s CACHE_MANAGER is wired
 * too (Keyv + @keyv/redis) for modules that want the stock API.
 */
@Global()
@Module({
  imports: [
    NestCacheModule.registerAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) => {
        const redisUrl = config.get('REDIS_URL', { infer: true });
        return {
          ttl: config.get('CACHE_TTL_SECONDS', { infer: true }) * 1000,
          stores: redisUrl ? [new KeyvRedis(redisUrl, { namespace: 'cache-manager' })] : undefined,
        };
      },
    }),
  ],
  providers: [
    {
      provide: CACHE_SETTINGS,
      inject: [ENV],
      useFactory: cacheSettingsFrom,
    },
    RedisConnection,
    CacheBus,
    CacheStats,
    TwoTierCache,
    HttpCacheInterceptor,
    L1FastPath,
    CacheAdminService,
  ],
  controllers: [CacheAdminController],
  exports: [TwoTierCache, RedisConnection, HttpCacheInterceptor, L1FastPath, CACHE_SETTINGS, NestCacheModule],
})
export class SharedCacheModule {}
