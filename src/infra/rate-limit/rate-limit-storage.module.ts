import { Module } from '@nestjs/common';
import { SharedCacheModule } from '../cache/cache.module';
import { RedisThrottlerStorage } from './redis-throttler.storage';

/** The counters' storage on its own, so ThrottlerModule's async factory can inject it. */
@Module({
  imports: [SharedCacheModule],
  providers: [RedisThrottlerStorage],
  exports: [RedisThrottlerStorage],
})
export class RateLimitStorageModule {}
