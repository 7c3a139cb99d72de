/**
 * npm run bench:faults — staleness after acknowledged writes across two app instances on one
 * Redis and one MongoDB, under faults. Rows (FAULTS_ROWS, comma-separated, default all):
 *   normal             PATCH /games/:id through A while autocannon reads games through A and B
 *   redis_hang         redis-server SIGSTOPped, a PATCH through A during the hang, SIGCONT after
 *                      FAULTS_HANG_MS (the reader is polled throughout)
 *   crash              crash_api: PATCH through a feed follower, kill -9 of that instance as soon
 *                      as it answered; crash_raw: the writer that dies before invalidating (a
 *                      MongoDB update from a plain driver, then kill -9 of a feed follower)
 *   slow_redis         every instance's link to Redis (own latency proxy each) FAULTS_SLOW_LATENCIES
 *                      ms late, a PATCH through A during it (issue #24 item 1)
 *   redis_hang_direct  Redis hung FAULTS_DIRECT_HANG_MS (FAULTS_DIRECT_HANG=sigstop, or blackhole: the
 *                      proxies swallow every byte), a write straight in MongoDB 2 s in (item 2)
 *   mongo_restart      MongoDB killed (-9) FAULTS_MONGO_DOWN_MS, restarted on its port, a write straight
 *                      in MongoDB as soon as it answers (item 3)
 *   mongo_hang         MongoDB SIGSTOPped FAULTS_MONGO_HANG_MS: latency of uncached reads (item 4)
 * The classic rows (normal, redis_hang, crash) measure from the acknowledgement to the sending of
 * the first read on the other instance that answered the new value (reads back to back, after the
 * reader had the old value in its L1). The newer rows read both instances throughout and measure to
 * the arrival of the last old answer on any instance, so an old value that comes back counts. Each
 * group of rows runs on instances of its own: slow_redis and redis_hang_direct on three, each behind
 * its own latency proxy to Redis (with the default two feed followers, the third instance hears of a
 * write only through the bus, as a standby does); the mongo rows on two, on a MongoDB of their own
 * that they may kill. One JSON line last.
 * Env: FAULTS_ROWS, FAULTS_WRITES (40), FAULTS_TRIALS (5), FAULTS_HANG_MS (3000), FAULTS_SLOW_LATENCIES
 * (300,500,1000), FAULTS_SLOW_MS (8000), FAULTS_DIRECT_HANG_MS (10000), FAULTS_MONGO_DOWN_MS (20000),
 * FAULTS_MONGO_HANG_MS (20000), BENCH_CONNECTIONS (8), MONGODB_URI (else embedded stand-in, oplog on).
 */
import Redis from 'ioredis';
import { MongoClient } from 'mongodb';
import { standinAvailable } from '../src/infra/embedded/mongo-standin';
import { startRedisServer } from '../src/infra/embedded/redis-server';
import { LatencyProxy } from '../test/harness/latency-proxy';
import { classicRows } from './lib/fault-rows-classic';
import { quantiles, report, Trial } from './lib/fault-measure';
import { mongoHangRow, mongoRestartRow, RestartableMongo } from './lib/fault-rows-mongo';
import { BENCH_ADMIN_TOKEN, Hangable, redisHangDirectWriteRow, RowContext, slowRedisRow } from './lib/fault-rows-redis';
import { insertBenchGames } from './lib/games';
import { AppProcess, startAppProcess, startBenchServers } from './lib/servers';

const DB = 'bench_faults';
const GAMES = 100;
const ROWS = ['normal', 'redis_hang', 'crash', 'slow_redis', 'redis_hang_direct', 'mongo_restart', 'mongo_hang'];

async function main() {
  const rows = new Set((process.env.FAULTS_ROWS ?? ROWS.join(',')).split(',').map((row) => row.trim()));
  const unknown = [...rows].filter((row) => !ROWS.includes(row));
  if (unknown.length) throw new Error(`FAULTS_ROWS: unknown ${unknown.join(', ')} (rows: ${ROWS.join(', ')})`);
  const trials = Number(process.env.FAULTS_TRIALS ?? 5);
  const redis = await startRedisServer();
  process.env.REDIS_URL = redis.uri; // startBenchServers then starts only MongoDB
  const servers = await startBenchServers();
  const mongo = await MongoClient.connect(servers.mongodbUri);
  const apps: AppProcess[] = [];
  const proxies: LatencyProxy[] = [];
  let restartable: RestartableMongo | undefined;
  let hung = false;
  const redisControl: Hangable = {
    hang: () => {
      process.kill(redis.pid, 'SIGSTOP');
      hung = true;
    },
    resume: () => {
      if (hung) process.kill(redis.pid, 'SIGCONT');
      hung = false;
    },
  };
  const baseEnv = { MONGODB_URI: servers.mongodbUri, MONGODB_DB: DB, REDIS_URL: redis.uri, ADMIN_TOKEN: BENCH_ADMIN_TOKEN };
  const start = async (env: Record<string, string> = baseEnv) => {
    const app = await startAppProcess(env);
    apps.push(app);
    return app;
  };
  const stopAll = async () => {
    await Promise.allSettled(apps.splice(0).map((app) => app.stop()));
    const flush = new Redis(redis.uri);
    await flush.flushall(); // the next pair starts from an empty cache and no feed leases
    flush.disconnect();
  };
  let figures: Record<string, unknown> = { bench: 'faults', mongo: servers.mongoKind, rows: [...rows], trials };
  try {
    const games = mongo.db(DB).collection('games');
    const ids = await insertBenchGames(games, GAMES, 0);
    console.log(`MongoDB: ${servers.mongoKind}; ${GAMES} games; one Redis (pid ${redis.pid}); rows ${[...rows].join(', ')}`);
    let value = 1000;
    const context = (pair: AppProcess[], gameIds: string[], collection = games): RowContext => {
      let next = 0;
      return { apps: pair, games: collection, trials, nextId: () => gameIds[next++ % gameIds.length], nextValue: () => ++value };
    };

    if (rows.has('normal') || rows.has('redis_hang') || rows.has('crash')) {
      const classic = await classicRows({ rows, ids, games, trials, redis: redisControl, start, nextValue: () => ++value });
      figures = { ...figures, ...classic };
      await stopAll();
    }

    if (rows.has('slow_redis') || rows.has('redis_hang_direct')) {
      // Three instances, as deployed by default: two follow the change feed, the third only hears the bus.
      for (let i = 0; i < 3; i++) {
        const proxy = LatencyProxy.for(redis.uri);
        await proxy.listen();
        proxies.push(proxy);
      }
      const pair = [];
      for (const proxy of proxies) pair.push(await start({ ...baseEnv, REDIS_URL: proxy.url(redis.uri) }));
      const ctx = context(pair, ids);
      figures.proxied_instances = pair.length;
      if (rows.has('slow_redis')) {
        const slowMs = Number(process.env.FAULTS_SLOW_MS ?? 8000);
        figures.slow_redis_slow_ms = slowMs;
        for (const latency of (process.env.FAULTS_SLOW_LATENCIES ?? '300,500,1000').split(',').map(Number)) {
          const name = `slow_redis_${latency}ms`;
          const result = await slowRedisRow(ctx, proxies, latency, slowMs);
          report(name, result);
          figures = { ...figures, ...newRowSummary(name, result) };
        }
      }
      if (rows.has('redis_hang_direct')) {
        const hangMs = Number(process.env.FAULTS_DIRECT_HANG_MS ?? 10_000);
        // sigstop: redis-server stopped (bytes wait in the kernel); blackhole: every proxy swallows
        // bytes both ways and keeps the sockets open, as toxiproxy's timeout toxic does.
        const kind = process.env.FAULTS_DIRECT_HANG ?? 'sigstop';
        if (kind !== 'sigstop' && kind !== 'blackhole') throw new Error('FAULTS_DIRECT_HANG: sigstop or blackhole');
        const blackhole: Hangable = {
          hang: () => proxies.forEach((proxy) => proxy.blackhole(true)),
          resume: () => proxies.forEach((proxy) => proxy.blackhole(false)),
        };
        figures.redis_hang_direct_write_kind = kind;
        const { afterResume, duringHang, recovered } = await redisHangDirectWriteRow(
          ctx,
          kind === 'sigstop' ? redisControl : blackhole,
          hangMs,
        );
        report('redis_hang_direct_write', afterResume);
        report('  (during the hang)', duringHang);
        figures = {
          ...figures,
          redis_hang_direct_write_hang_ms: hangMs,
          redis_hang_direct_write_recovered: recovered,
          ...newRowSummary('redis_hang_direct_write', afterResume),
          redis_hang_direct_write_during_hang_max_ms: quantiles(duringHang.map((t) => t.staleMs)).max,
        };
      }
      await stopAll();
    }

    if (rows.has('mongo_restart') || rows.has('mongo_hang')) {
      if (!standinAvailable()) throw new Error('the mongo rows need the MongoDB stand-in (bash tools/setup.sh)');
      restartable = new RestartableMongo();
      await restartable.start();
      const own = await MongoClient.connect(restartable.uri);
      const database = `${DB}_mongo`;
      const ownGames = own.db(database).collection('games');
      const ownIds = await insertBenchGames(ownGames, GAMES, 0);
      await own.close();
      const env = { ...baseEnv, MONGODB_URI: restartable.uri, MONGODB_DB: database };
      const ctx = context([await start(env), await start(env)], ownIds, ownGames);
      if (rows.has('mongo_hang')) {
        figures = { ...figures, ...(await mongoHangRow(ctx, restartable, Number(process.env.FAULTS_MONGO_HANG_MS ?? 20_000))) };
      }
      if (rows.has('mongo_restart')) {
        const downMs = Number(process.env.FAULTS_MONGO_DOWN_MS ?? 20_000);
        const { trials: restart, fromAnswerMs } = await mongoRestartRow(ctx, restartable, database, downMs);
        report('mongo_restart_direct_write', restart);
        figures = {
          ...figures,
          mongo_restart_down_ms: downMs,
          ...newRowSummary('mongo_restart_direct_write', restart),
          mongo_restart_direct_write_from_answer_max_ms: quantiles(fromAnswerMs).max,
        };
      }
      await stopAll();
    }
    console.log(JSON.stringify(figures));
  } finally {
    redisControl.resume();
    await mongo.close();
    await Promise.allSettled(apps.map((app) => app.stop()));
    await Promise.allSettled(proxies.map((proxy) => proxy.close()));
    await restartable?.stop();
    await servers.stop();
    await redis.stop();
  }
  process.exit(0);
}

/** The newer rows' figures: maximum staleness first (what the goals are about). */
function newRowSummary(name: string, trials: Trial[]) {
  const { n, missed, p50, max } = quantiles(trials.map((t) => t.staleMs));
  return {
    [`${name}_max_stale_ms`]: max,
    [`${name}_p50_ms`]: p50,
    [`${name}_n`]: n,
    [`${name}_not_fresh_at_end`]: missed,
    [`${name}_old_answers_max`]: Math.max(0, ...trials.map((t) => t.staleAnswers)),
  };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
