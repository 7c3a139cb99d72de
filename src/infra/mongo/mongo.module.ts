import { DynamicModule, Global, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ENV } from '../../config/config.module';
import { databaseName, Env } from '../../config/env';

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
            serverSelectionTimeoutMS: 5000,
            // Indexes are part of the contract (unique emails, registrations): build them at start-up.
            autoIndex: !options.lazy,
            lazyConnection: options.lazy,
          }),
        }),
      ],
    };
  }
}
