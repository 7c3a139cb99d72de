import type { Type } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Connection } from 'mongoose';
import Redis from 'ioredis';
import { MongoClient } from 'mongodb';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { createApp } from '../../src/app.factory';
import { Env, validateEnv } from '../../src/config/env';
import { RATE_LIMITS_OFF } from '../../src/infra/rate-limit/limits-off';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestContext {
  env: Env;
  dbName: string;
  /** A second MongoDB client, as an outside writer would be (not through the API). */
  mongo: MongoClient;
  /** A Redis client on the suite's own db index, to look at what the cache stored. */
  redis: Redis;
  /** Starts an app instance on this suite's database and Redis db; several may run at once. */
  startApp(overrides?: Partial<Record<keyof Env, string | number | boolean>>, extraModules?: Type[]): Promise<TestApp>;
  close(): Promise<void>;
}

export interface TestApp {
  app: NestFastifyApplication;
  http: TestAgent;
  close(): Promise<void>;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run e2e tests through jest's global setup (npm test)`);
  return value;
}

/**
 * One isolated world per suite: its own MongoDB database and Redis db index, on the servers
 * the global setup started (real MongoDB wire protocol and real Redis, over TCP).
 */
export async function createTestContext(suite: string): Promise<TestContext> {
  const mongoUri = required('TEST_MONGODB_URI');
  const redisBase = required('TEST_REDIS_URL');
  const dbName = `t_${suite.replace(/[^A-Za-z0-9]/g, '_').slice(0, 30)}_${randomBytes(3).toString('hex')}`;

  const allocator = new Redis(redisBase, { lazyConnect: true });
  await allocator.connect();
  const dbIndex = 1 + ((await allocator.incr('harness:next-db')) % 255);
  await allocator.quit();
  const redisUrl = `${redisBase}/${dbIndex}`;

  const redis = new Redis(redisUrl);
  await redis.flushdb();
  const mongo = await MongoClient.connect(mongoUri);
  const apps: TestApp[] = [];

  return {
    env: validateEnv({
      MONGODB_URI: mongoUri,
      MONGODB_DB: dbName,
      REDIS_URL: redisUrl,
      ADMIN_TOKEN,
      LOG_LEVEL: 'warn',
      CACHE_KEY_PREFIX: 'none',
    }),
    dbName,
    mongo,
    redis,
    async startApp(overrides = {}, extraModules = []) {
      const env = validateEnv({
        MONGODB_URI: mongoUri,
        MONGODB_DB: dbName,
        REDIS_URL: redisUrl,
        ADMIN_TOKEN,
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
        // Every suite sends all its requests from 127.0.0.1: rate limits are off unless a suite sets them
        // (test/security sets them and proves them).
        ...RATE_LIMITS_OFF,
        // Each suite has its own Redis db, so the plain key names (which tests look up) are safe.
        CACHE_KEY_PREFIX: 'none',
        // The change feed invalidates on its own schedule, which would race suites that assert an
        // exact HIT or MISS; the suites that prove the feed switch it on.
        CACHE_FEED_ENABLED: false,
        ...Object.fromEntries(Object.entries(overrides).map(([k, v]) => [k, String(v)])),
      });
      const app = await createApp(env, extraModules);
      try {
        await app.init();
        await app.getHttpAdapter().getInstance().ready();
        await indexesBuilt(app);
      } catch (error) {
        await app.close().catch(() => undefined);
        throw error;
      }
      const testApp: TestApp = {
        app,
        http: request(app.getHttpServer()),
        close: () => app.close(),
      };
      apps.push(testApp);
      return testApp;
    },
    async close() {
      await Promise.allSettled(apps.map((a) => a.close()));
      await mongo
        .db(dbName)
        .dropDatabase()
        .catch(() => undefined);
      await mongo.close();
      await redis.flushdb().catch(() => undefined);
      redis.disconnect();
    },
  };
}

/**
 * Waits for every model of the app's Mongoose connection(s) to finish `init()` (its collection and
 * schema indexes), which Mongoose runs in the background from start-up: the MongoDB stand-in fails a
 * read or write made while an index build runs ("MongoServerError: Unknown error: null"). A failed
 * build is left to the app, as in production: this only waits (20 s at most).
 */
async function indexesBuilt(app: NestFastifyApplication): Promise<void> {
  const connections = new Set<Connection>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const { instance } of module.providers.values()) if (isConnection(instance)) connections.add(instance);
  }
  const builds = Promise.allSettled(
    [...connections].flatMap((connection) => Object.values(connection.models).map((model) => model.init())),
  );
  // Bounded: a suite that starts an app with MongoDB unreachable is not held here.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([builds, new Promise((resolve) => (timer = setTimeout(resolve, 20_000)))]);
  clearTimeout(timer);
}

function isConnection(value: unknown): value is Connection {
  // Duck-typed: the app's mongoose may be another module instance than the test's under Jest's loader.
  return (
    typeof value === 'object' &&
    value !== null &&
    'models' in value &&
    'readyState' in value &&
    typeof (value as Connection).model === 'function'
  );
}

export const adminAuth = { Authorization: `Bearer ${ADMIN_TOKEN}` };

/** Polls `check` until it returns truthy or `timeoutMs` passes; returns the last value. */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 2000, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await check();
  while (!last && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, intervalMs));
    last = await check();
  }
  return last;
}
