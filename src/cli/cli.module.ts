import { DynamicModule, Module } from '@nestjs/common';
import { FEATURE_MODULES } from '../app.module';
import { AppConfigModule } from '../config/config.module';
import { RateLimitModule } from '../infra/rate-limit/rate-limit.module';
import type { Env } from '../config/env';
import { SharedCacheModule, ChangeFeedModule } from '../infra/cache';
import { MongoModule } from '../infra/mongo/mongo.module';
import { SeederModule } from '../seeder/seeder.module';
import { SeedCommand } from './seed.command';

/** The command line: the same modules as the API (their commands and seeders), no HTTP server. */
@Module({})
export class CliModule {
  /** `helpOnly`: commands are registered for their help text, but nothing connects. */
  static forRoot(env: Env, helpOnly = false): DynamicModule {
    return {
      module: CliModule,
      imports: [
        AppConfigModule.forRoot(env),
        SeederModule,
        MongoModule.forRoot({ lazy: helpOnly }),
        SharedCacheModule,
        RateLimitModule,
        ChangeFeedModule,
        ...FEATURE_MODULES,
      ],
      providers: [SeedCommand],
    };
  }
}
