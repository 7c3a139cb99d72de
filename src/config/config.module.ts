import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import type { Env } from './env';

/** The validated Env as a whole, for factories that need several values at once. */
export const ENV = Symbol('ENV');

/**
 * Serves one app instance's validated Env through `ConfigService<Env, true>` and the ENV token.
 * Validation happens before (validateEnv), so an invalid value never reaches a module; process.env
 * is not read here, so two instances in one process (the coherence tests) keep their own config.
 */
@Global()
@Module({})
export class AppConfigModule {
  static forRoot(env: Env): DynamicModule {
    return {
      module: AppConfigModule,
      imports: [ConfigModule.forRoot({ ignoreEnvFile: true, ignoreEnvVars: true, load: [() => ({ ...env })] })],
      providers: [{ provide: ENV, useValue: env }],
      exports: [ConfigModule, ENV],
    };
  }
}
