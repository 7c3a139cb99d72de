import { DynamicModule, Global, Module } from '@nestjs/common';
import type { Env } from './env';

/** The validated Env: the one way to read configuration (`@Inject(ENV) env: Env`, or `inject: [ENV]` in factories). */
export const ENV = Symbol('ENV');

/**
 * Serves one app instance's validated Env through the ENV token.
 * Validation happens before (validateEnv), so an invalid value never reaches a module; process.env
 * is not read here, so two instances in one process (the coherence tests) keep their own config.
 */
@Global()
@Module({})
export class AppConfigModule {
  static forRoot(env: Env): DynamicModule {
    return {
      module: AppConfigModule,
      providers: [{ provide: ENV, useValue: env }],
      exports: [ENV],
    };
  }
}
