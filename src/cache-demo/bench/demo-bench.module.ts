import { CacheModuleOptions, CacheModule as NestCacheModule } from '@nestjs/cache-manager';
import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ENV } from '../../config/config.module';
import { cacheKeyPrefix, type Env } from '../../config/env';
import { CacheDemoService } from '../cache-demo.service';
import { DemoItem, DemoItemSchema } from '../schemas/demo-item.schema';
import { DemoBenchController } from './demo-bench.controller';
import { DemoBenchService } from './demo-bench.service';

/** `@nestjs/cache-manager`'s stock CACHE_MANAGER (Keyv + @keyv/redis), for the one route that compares against it. */
async function stockCacheOptions(env: Env): Promise<CacheModuleOptions> {
  const redisUrl = env.REDIS_URL;
  // Loaded only with Redis: node-redis is hundreds of files that L1-only runs do without.
  const createKeyv = redisUrl && /^rediss?:/.test(redisUrl) ? (await import('@keyv/redis')).createKeyv : undefined;
  return {
    ttl: env.CACHE_TTL_SECONDS * 1000,
    // createKeyv sets the namespace on both Keyv and the adapter: keys read [<prefix>]cache-manager::<key>.
    // (The cast bridges keyv's CommonJS and ESM type declarations of the same class.)
    // @keyv/redis takes plain redis:// URLs only: behind Sentinel or Cluster, CACHE_MANAGER keeps its in-memory store.
    stores: createKeyv
      ? ([createKeyv(redisUrl, { namespace: `${cacheKeyPrefix(env)}cache-manager` })] as unknown as CacheModuleOptions['stores'])
      : undefined,
  };
}

/**
 * Routes the cache's tests and benchmarks compare against (`DEMO_ROUTES=true`), kept apart from the
 * worked example (`CacheDemoModule`): a trivial route, pre-serialized bytes, the same list behind
 * the stock CacheInterceptor, and the seed. It reads the demo items through its own CacheDemoService.
 */
@Module({
  imports: [
    MongooseModule.forFeature([{ name: DemoItem.name, schema: DemoItemSchema }]),
    NestCacheModule.registerAsync({ inject: [ENV], useFactory: stockCacheOptions }),
  ],
  controllers: [DemoBenchController],
  providers: [CacheDemoService, DemoBenchService],
})
export class DemoBenchModule {}
