import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../src/infra/embedded/free-port';
import { mongodBinary, startMongod } from '../../src/infra/embedded/mongod';
import { RunningServer, startMongoStandin } from '../../src/infra/embedded/mongo-standin';
import { stopChild } from '../../src/infra/embedded/process';
import { startRedisServer } from '../../src/infra/embedded/redis-server';
import { RATE_LIMITS_OFF } from '../../src/infra/rate-limit/limits-off';

export interface BenchServers {
  mongodbUri: string;
  redisUrl: string;
  mongoKind: string;
  /** Process ids of the servers this started (to read their memory), when it started them. */
  mongoPid?: number;
  redisPid?: number;
  stop(): Promise<void>;
}

export interface BenchServerOptions {
  /** JVM heap of the stand-in (default 2g). */
  mongoHeap?: string;
  /** redis-server maxmemory (default 256mb). */
  redisMaxmemory?: string;
}

/** MongoDB and Redis for a benchmark: MONGODB_URI / REDIS_URL when given, else embedded ones. */
export async function startBenchServers(options: BenchServerOptions = {}): Promise<BenchServers> {
  const started: RunningServer[] = [];
  let mongodbUri = process.env.MONGODB_URI;
  let mongoKind = 'external';
  let mongoPid: number | undefined;
  let redisPid: number | undefined;
  if (!mongodbUri) {
    const binary = mongodBinary();
    const mongo = binary ? await startMongod(binary) : await startMongoStandin({ oplog: true, maxHeap: options.mongoHeap ?? '2g' });
    started.push(mongo);
    mongodbUri = mongo.uri;
    mongoPid = mongo.pid;
    mongoKind = binary ? 'mongod' : 'mongo-java-server stand-in';
  }
  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    const redis = await startRedisServer({ maxmemory: options.redisMaxmemory });
    started.push(redis);
    redisUrl = redis.uri;
    redisPid = redis.pid;
  }
  return {
    mongodbUri,
    redisUrl,
    mongoKind,
    mongoPid,
    redisPid,
    stop: async () => void (await Promise.allSettled(started.map((s) => s.stop()))),
  };
}

export interface AppProcess {
  url: string;
  /** For reading its memory (/proc/<pid>/status). */
  pid: number;
  /** The end of what it wrote to stderr (the last 4,000 characters), for error reports. */
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * Starts the built app (dist-bench/src/main.js) in its own process, so the load generator
 * does not share its event loop. `env` overrides the defaults (LOG_LEVEL=warn, a free PORT).
 */
export async function startAppProcess(env: Record<string, string>): Promise<AppProcess> {
  return startNodeProcess(join(__dirname, '..', '..', 'src', 'main.js'), env);
}

/** Starts a compiled script that serves HTTP on PORT and answers GET /health once ready. */
export async function startNodeProcess(script: string, env: Record<string, string>): Promise<AppProcess> {
  const port = await freePort();
  const nodeArgs = process.env.BENCH_APP_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, script], {
    // Load comes from one address and a few accounts: rate limits would measure themselves, not the routes.
    // Each bench has its own Redis, so the plain key names the benches look up are safe (no prefix).
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      ...RATE_LIMITS_OFF,
      CACHE_KEY_PREFIX: 'none',
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Drained for the child's whole life (a full pipe would stall it); only a bounded tail is kept, for error reports.
  // BENCH_APP_LOG_DIR=<dir> also keeps each child's whole output there (app-<port>.log), e.g. with
  // BENCH_APP_NODE_ARGS=--trace-gc (Node options before the script, space-separated) to see its collector's pauses.
  let stderr = '';
  const logDir = process.env.BENCH_APP_LOG_DIR;
  if (logDir) {
    const log = createWriteStream(join(logDir, `app-${port}.log`));
    child.stdout.pipe(log);
    child.stderr.on('data', (chunk: Buffer) => log.write(chunk));
  } else child.stdout.resume();
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  // main.ts logs "listening" at info; poll /health instead, which also proves MongoDB is reachable.
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`app exited (code ${child.exitCode ?? child.signalCode}) before it was healthy:\n${stderr.slice(-2000)}`);
    }
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`app did not become healthy within 60 s:\n${stderr.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, pid: child.pid!, stderr: () => stderr, stop: () => stopChild(child) };
}
