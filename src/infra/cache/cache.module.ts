import { CacheModuleOptions, CacheModule as NestCacheModule } from '@nestjs/cache-manager';
import { Global, Module } from '@nestjs/common';
import { ENV } from '../../config/config.module';
import { cacheKeyPrefix, type Env } from '../../config/env';
import { CacheBus } from './redis/cache-bus';
import { CACHE_SETTINGS, cacheSettingsFrom } from './core/cache.settings';
import { CacheStats } from './core/cache-stats';
import { HttpCacheInterceptor } from './http/http-cache.interceptor';
import { L1FastPath } from './http/l1-fast-path';
import { RedisConnection } from './redis/redis.connection';
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
      inject: [ENV],
      useFactory: async (env: Env) => {
        const redisUrl = env.REDIS_URL;
        // Loaded only with Redis: node-redis is hundreds of files that --help and L1-only runs do without.
        const createKeyv = redisUrl && /^rediss?:/.test(redisUrl) ? (await import('@keyv/redis')).createKeyv : undefined;
        return {
          ttl: env.CACHE_TTL_SECONDS * 1000,
          // createKeyv sets the namespace on both Keyv and the adapter: keys read [<prefix>]cache-manager::<key>.
          // (The cast bridges keyv's CommonJS and ESM type declarations of the same class.)
          // @keyv/redis takes plain redis:// URLs only: behind Sentinel or Cluster, CACHE_MANAGER keeps its in-memory store.
          stores: createKeyv
            ? ([
                createKeyv(redisUrl, {
                  namespace: `${cacheKeyPrefix(env)}cache-manager`,
                }),
              ] as unknown as CacheModuleOptions['stores'])
            : undefined,
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
  ],
  exports: [TwoTierCache, RedisConnection, CacheBus, HttpCacheInterceptor, L1FastPath, CACHE_SETTINGS, NestCacheModule],
})
export class SharedCacheModule {}
