import { Global, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { ENV } from '../../config/config.module';
import type { Env } from '../../config/env';
import { GlobalRateLimit } from './global-rate-limit';
import { RateLimitGuard } from './rate-limit.guard';
import { RateLimitRejections } from './rate-limit-rejections';
import { throttlers } from './rate-limits';
import { RateLimitStorageModule } from './rate-limit-storage.module';
import { RedisThrottlerStorage } from './redis-throttler.storage';

/**
 * Rate limits (@nestjs/throttler) counted in Redis: the per-route limits a route declares with
 * `@RateLimited(...)`, and the global per-IP ceiling (GlobalRateLimit, a Fastify hook).
 */
@Global()
@Module({
  imports: [
    RateLimitStorageModule,
    ThrottlerModule.forRootAsync({
      imports: [RateLimitStorageModule],
      inject: [ENV, RedisThrottlerStorage],
      useFactory: (env: Env, storage: RedisThrottlerStorage) => ({ throttlers: throttlers(env), storage, setHeaders: false }),
    }),
  ],
  providers: [RateLimitGuard, GlobalRateLimit, RateLimitRejections],
  exports: [ThrottlerModule, RateLimitGuard, GlobalRateLimit, RateLimitRejections],
})
export class RateLimitModule {}
