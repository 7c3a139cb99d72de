import { DynamicModule, Global, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ENV } from '../../config/config.module';
import { databaseName, Env } from '../../config/env';
import { MongoHealth } from './mongo-health';

@Global()
@Module({})
export class MongoModule {
  /** `lazy`: connect on first use only (the CLI's --help never touches the database). */
  static forRoot(options: { lazy?: boolean } = {}): DynamicModule {
    return {
      module: MongoModule,
      imports: [
        MongooseModule.forRootAsync({
          inject: [ENV],
          useFactory: (env: Env) => ({
            uri: env.MONGODB_URI,
            dbName: databaseName(env),
            // Fail fast (503, or a stale cached answer) rather than hold every request while MongoDB is unreachable.
            serverSelectionTimeoutMS: env.MONGODB_SERVER_SELECTION_TIMEOUT_MS,
            // The operationTimes of the API's writes, for the change feed to skip what they invalidated (write-times.ts).
            monitorCommands: env.CACHE_FEED_SKIP_API_WRITES,
            // Indexes are part of the contract (unique emails, registrations): build them at start-up.
            autoIndex: !options.lazy,
            lazyConnection: options.lazy,
          }),
        }),
      ],
      providers: [MongoHealth],
      exports: [MongoHealth],
    };
  }
}
