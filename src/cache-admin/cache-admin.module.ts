import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CacheAdminController } from './cache-admin.controller';
import { CacheAdminService } from './cache-admin.service';

/** The cache's admin API (stats, keys, entries, clear, refresh): a feature on top of infra/cache, guarded by auth. */
@Module({
  imports: [AuthModule],
  controllers: [CacheAdminController],
  providers: [CacheAdminService],
})
export class CacheAdminModule {}
