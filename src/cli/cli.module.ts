import { DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { FEATURE_MODULES } from '../app.module';
import { AppConfigModule } from '../config/config.module';
import type { Env } from '../config/env';
import { SharedCacheModule } from '../infra/cache/cache.module';
import { ChangeFeedModule } from '../infra/cache/feed/change-feed.module';
import { MongoModule } from '../infra/mongo/mongo.module';
import { SeederRegistry } from '../seeder/seeder.registry';
import { SeedCommand } from './seed.command';

/** The command line: the same modules as the API (their commands and seeders), no HTTP server. */
@Module({})
export class CliModule {
  static forRoot(env: Env): DynamicModule {
    return {
      module: CliModule,
      imports: [AppConfigModule.forRoot(env), DiscoveryModule, MongoModule, SharedCacheModule, ChangeFeedModule, ...FEATURE_MODULES],
      providers: [SeederRegistry, SeedCommand],
    };
  }
}
