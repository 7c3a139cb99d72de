import { mongodBinary, startMongod } from '../../src/infra/embedded/mongod';
import { RunningServer, startMongoStandin } from '../../src/infra/embedded/mongo-standin';
import { startRedisServer } from '../../src/infra/embedded/redis-server';

declare global {
  var __testServers: RunningServer[] | undefined;
}

/**
 * Starts one MongoDB (a real mongod if a binary is at hand, else the wire-protocol stand-in)
 * and one redis-server for the whole run, unless MONGODB_URI / REDIS_URL are given.
 * Suites isolate themselves with their own database and Redis db index (see test-app.ts).
 */
export default async function globalSetup(): Promise<void> {
  const servers: RunningServer[] = [];
  globalThis.__testServers = servers;
  if (!process.env.MONGODB_URI) {
    const binary = mongodBinary();
    const mongo = binary ? await startMongod(binary) : await startMongoStandin({ oplog: true, maxHeap: '1g' });
    servers.push(mongo);
    process.env.TEST_MONGODB_URI = mongo.uri;
    process.env.TEST_MONGODB_KIND = binary ? 'mongod' : 'standin';
  } else {
    process.env.TEST_MONGODB_URI = process.env.MONGODB_URI;
    process.env.TEST_MONGODB_KIND = 'external';
  }
  if (!process.env.REDIS_URL) {
    const redis = await startRedisServer({ databases: 256 });
    servers.push(redis);
    process.env.TEST_REDIS_URL = redis.uri;
  } else {
    process.env.TEST_REDIS_URL = process.env.REDIS_URL;
  }
}
