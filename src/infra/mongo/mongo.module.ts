import { DynamicModule, Global, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { ENV } from '../../config/config.module';
import { databaseName, Env } from '../../config/env';
import { MongoHealth } from './mongo-health';
import { MongoDeadlines } from './operation-deadline';
import { recordWriteTimes } from './write-times';

@Global()
@Module({})
export class MongoModule {
  /**
   * `lazy`: connect on first use only (the CLI's --help never touches the database).
   * `jobsOnly`: every operation gets the job deadline (the CLI, whose commands are all jobs).
   */
  static forRoot(options: { lazy?: boolean; jobsOnly?: boolean } = {}): DynamicModule {
    const deadlines = (env: Env) => MongoDeadlines.from(env, options.jobsOnly);
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
            // Indexes are part of the contract (unique emails, registrations): build them at start-up.
            autoIndex: !options.lazy,
            lazyConnection: options.lazy,
            // A reachable MongoDB that stops answering (hung, or a partition that keeps sockets open) is
            // bounded per operation, not per connection: the deadline goes on the models' queries and
            // aggregations (see MongoDeadlines), so change streams, index builds and jobs keep their own.
            // The API's writes also learn their operationTimes, for the change feed to skip the events
            // they invalidated themselves (write-times.ts).
            connectionFactory: (connection: Connection) => {
              deadlines(env).applyTo(connection);
              return env.CACHE_FEED_SKIP_API_WRITES ? recordWriteTimes(connection) : connection;
            },
          }),
        }),
      ],
      providers: [MongoHealth, { provide: MongoDeadlines, inject: [ENV], useFactory: deadlines }],
      exports: [MongoHealth, MongoDeadlines],
    };
  }
}
