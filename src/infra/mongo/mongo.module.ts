import { Global, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ENV } from '../../config/config.module';
import { databaseName, Env } from '../../config/env';
import { MongoHealth } from './mongo-health';

@Global()
@Module({
  imports: [
    MongooseModule.forRootAsync({
      inject: [ENV],
      useFactory: (env: Env) => ({
        uri: env.MONGODB_URI,
        dbName: databaseName(env),
        // Fail fast (503, or a stale cached answer) rather than hold every request while MongoDB is unreachable.
        serverSelectionTimeoutMS: env.MONGODB_SERVER_SELECTION_TIMEOUT_MS,
        // Indexes are part of the contract (unique emails, registrations): build them at start-up.
        autoIndex: true,
      }),
    }),
  ],
  providers: [MongoHealth],
  exports: [MongoHealth],
})
export class MongoModule {}
