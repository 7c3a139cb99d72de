import { Logger } from '@nestjs/common';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Env } from '../../config/env';
import { mongodBinary, startMongod } from './mongod';
import { RunningServer, startMongoStandin } from './mongo-standin';
import { redisServerBinary, startRedisServer } from './redis-server';

export interface ServiceUris {
  mongodbUri: string;
  redisUrl?: string;
}

export interface EmbeddedServices extends ServiceUris {
  stop(): Promise<void>;
}

interface RuntimeRecord extends ServiceUris {
  pid: number;
  startedAt: string;
}

const logger = new Logger('Embedded');

function runtimeFile(env: Env): string {
  return join(resolve(env.RUNTIME_DIR), 'services.json');
}

/** URIs recorded by a running `npm start`, so CLI commands work on the same data. */
export function readRunningServices(env: Env): ServiceUris | undefined {
  try {
    const record = JSON.parse(readFileSync(runtimeFile(env), 'utf8')) as RuntimeRecord;
    process.kill(record.pid, 0); // throws when that process is gone
    return record;
  } catch {
    return undefined;
  }
}

/**
 * Resolves the MongoDB and Redis the app uses: the configured URIs, else embedded servers.
 * MongoDB: a real mongod (single-node replica set) when a binary is at hand, else the
 * mongo-java-server stand-in persisted to an H2 file. Redis: a local redis-server if on PATH,
 * else none (the in-process cache tier runs alone).
 */
export async function startEmbeddedServices(env: Env, options: { persistent: boolean; record: boolean }): Promise<EmbeddedServices> {
  const started: RunningServer[] = [];
  const stopAll = async () => {
    await Promise.allSettled(started.reverse().map((s) => s.stop()));
  };
  try {
    const dataDir = resolve(env.RUNTIME_DIR);
    mkdirSync(dataDir, { recursive: true });

    let mongodbUri = env.MONGODB_URI;
    if (!mongodbUri) {
      const binary = mongodBinary();
      const server = binary
        ? await startMongod(binary, options.persistent ? ensureDir(join(dataDir, 'mongod')) : undefined)
        : await startMongoStandin({
            h2File: options.persistent ? join(dataDir, 'mongo-standin.h2') : undefined,
            maxHeap: env.EMBEDDED_MONGO_MAX_HEAP,
          });
      started.push(server);
      mongodbUri = server.uri;
      logger.log(`embedded MongoDB (${binary ? `mongod ${binary}` : 'mongo-java-server stand-in'}) at ${mongodbUri}`);
    }

    let redisUrl = env.REDIS_URL;
    if (!redisUrl) {
      if (redisServerBinary()) {
        const server = await startRedisServer({ maxmemory: env.EMBEDDED_REDIS_MAXMEMORY });
        started.push(server);
        redisUrl = server.uri;
        logger.log(`embedded redis-server at ${redisUrl} (maxmemory ${env.EMBEDDED_REDIS_MAXMEMORY}, volatile-lru)`);
      } else {
        logger.warn('REDIS_URL is not set and redis-server is not on PATH: running with the in-process cache tier only');
      }
    }

    if (options.record && started.length > 0) {
      const record: RuntimeRecord = { mongodbUri, redisUrl, pid: process.pid, startedAt: new Date().toISOString() };
      writeFileSync(runtimeFile(env), JSON.stringify(record, null, 2));
    }
    return {
      mongodbUri,
      redisUrl,
      stop: async () => {
        if (options.record) rmSync(runtimeFile(env), { force: true });
        await stopAll();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
