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
        serverSelectionTimeoutMS: 5000,
        // Indexes are part of the contract (unique emails, registrations): build them at start-up.
        autoIndex: true,
      }),
    }),
  ],
  providers: [MongoHealth],
  exports: [MongoHealth],
})
export class MongoModule {}
