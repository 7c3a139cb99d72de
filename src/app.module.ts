import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { StrictValidationPipe } from './common/strict-validation.pipe';
import { AllExceptionsFilter } from './infra/http/all-exceptions.filter';
import { CacheAdminModule } from './cache-admin/cache-admin.module';
import { DemoBenchModule } from './cache-demo/bench/demo-bench.module';
import { CacheDemoModule } from './cache-demo/cache-demo.module';
import { AuthModule } from './auth/auth.module';
import { ImagedocModule } from './imagedoc/imagedoc.module';
import { GamesModule } from './games/games.module';
import { AppConfigModule } from './config/config.module';
import type { Env } from './config/env';
import { SharedCacheModule, ChangeFeedModule } from './infra/cache';
import { HealthController } from './infra/http/health.controller';
import { MetricsController } from './infra/metrics/metrics.controller';
import { FailureMetrics } from './infra/metrics/failure-metrics';
import { MetricsService } from './infra/metrics/metrics.service';
import { MongoModule } from './infra/mongo/mongo.module';
import { SeederModule } from './seeder/seeder.module';
import { RateLimitModule } from './infra/rate-limit/rate-limit.module';
import { StudentsModule } from './students/students.module';
import { CommerceModule } from './commerce/commerce.module';

/** Feature modules, one folder each; the CLI imports the same list. */
export const FEATURE_MODULES: Type[] = [AuthModule, CacheAdminModule, ImagedocModule, GamesModule, StudentsModule, CommerceModule];

@Module({})
export class AppModule {
  static forRoot(env: Env, extra: Type[] = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(env),
        MongoModule.forRoot(),
        SharedCacheModule,
        SeederModule,
        RateLimitModule,
        ChangeFeedModule,
        ...FEATURE_MODULES,
        ...(env.DEMO_ROUTES ? [CacheDemoModule, DemoBenchModule] : []),
        ...extra,
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        MetricsService,
        FailureMetrics,
        // Cross-cutting pieces the Nest way, so every app built from this module (server, CLI, tests) has them.
        { provide: APP_PIPE, useClass: StrictValidationPipe },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
    };
  }
}
