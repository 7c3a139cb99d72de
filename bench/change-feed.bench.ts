/**
 * npm run bench:feed — the change feed's lag under load: MongoDB write acknowledged (a second
 * client, not the API) → the cached entry deleted from Redis by the feed's invalidation.
 * Two app processes on the same MongoDB and Redis (one leads the feed, one stands by). While
 * autocannon reads cached games through the standby, a writer updates one cached game at a time
 * straight in MongoDB and times the key's deletion, seen through Redis keyspace notifications.
 * Env: BENCH_CONNECTIONS (50), BENCH_WRITES (300), MONGODB_URI / REDIS_URL (else embedded).
 */
import autocannon from 'autocannon';
import Redis from 'ioredis';
import { MongoClient, ObjectId } from 'mongodb';
import { insertBenchGames } from './lib/games';
import { AppProcess, startAppProcess, startBenchServers } from './lib/servers';

const DB = 'bench_feed';
const GAMES = 200;

async function main() {
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
  const writes = Number(process.env.BENCH_WRITES ?? 300);
  const servers = await startBenchServers();
  const apps: AppProcess[] = [];
  const mongo = await MongoClient.connect(servers.mongodbUri);
  const redis = new Redis(servers.redisUrl);
  const subscriber = new Redis(servers.redisUrl);
  try {
    const games = mongo.db(DB).collection('games');
    const gameIds = await insertBenchGames(games, GAMES, 5);
    const base = { MONGODB_URI: servers.mongodbUri, MONGODB_DB: DB, REDIS_URL: servers.redisUrl };
    const leader = await startAppProcess(base);
    apps.push(leader);
    const standby = await startAppProcess(base);
    apps.push(standby);
    await waitForLeader(leader.url);
    console.log(`MongoDB: ${servers.mongoKind}; ${GAMES} games; ${connections} connections reading through the standby instance`);

    await redis.config('SET', 'notify-keyspace-events', 'Kg');
    const deleted = new Map<string, () => void>();
    const channelPrefix = `__keyspace@${new URL(servers.redisUrl).pathname.slice(1) || '0'}__:`;
    await subscriber.psubscribe(`${channelPrefix}games:id:*`);
    subscriber.on('pmessage', (_pattern, channel: string, event: string) => {
      if (event === 'del') deleted.get(channel.slice(channelPrefix.length))?.();
    });

    const paths = gameIds.map((id) => `/games/${id}`);
    let readsDone!: (result: autocannon.Result) => void;
    const readResultPromise = new Promise<autocannon.Result>((r) => (readsDone = r));
    const reads = autocannon(
      {
        url: standby.url,
        connections,
        duration: 3600,
        requests: [{ setupRequest: (req) => ({ ...req, path: paths[Math.floor(Math.random() * paths.length)] }) }],
      },
      (_error, result) => readsDone(result),
    );
    const started = performance.now();
    const lags: number[] = [];
    let missed = 0;
    for (let i = 0; i < writes; i++) {
      const id = gameIds[i % gameIds.length];
      const key = `games:id:${id}`;
      // Make sure the entry is cached, so that its invalidation is a visible DEL.
      for (let tries = 0; tries < 20 && !(await redis.exists(key)); tries++) await fetch(`${standby.url}/games/${id}`);
      const seen = new Promise<number>((resolve) => deleted.set(key, () => resolve(performance.now())));
      const written = performance.now();
      await games.updateOne({ _id: new ObjectId(id) }, { $inc: { price_cents: 1 } });
      const at = await Promise.race([seen, new Promise<undefined>((r) => setTimeout(() => r(undefined), 5000))]);
      deleted.delete(key);
      if (at === undefined) missed++;
      else lags.push(Math.max(0, at - written));
    }
    reads.stop();
    const readResult = await readResultPromise;
    const seconds = (performance.now() - started) / 1000;
    lags.sort((a, b) => a - b);
    const q = (p: number) => Math.round(lags[Math.min(lags.length - 1, Math.floor(p * lags.length))] * 10) / 10;
    const summary = {
      bench: 'change-feed',
      mongo: servers.mongoKind,
      writes,
      observed: lags.length,
      missed_within_5s: missed,
      lag_ms_p50: q(0.5),
      lag_ms_p90: q(0.9),
      lag_ms_p99: q(0.99),
      lag_ms_max: q(1),
      read_connections: connections,
      read_rps: Math.round(readResult.requests.total / seconds),
      read_p99_ms: readResult.latency.p99,
      read_non2xx: readResult.non2xx,
    };
    console.log(JSON.stringify(summary));
  } finally {
    subscriber.disconnect();
    redis.disconnect();
    await mongo.close();
    await Promise.allSettled(apps.map((a) => a.stop()));
    await servers.stop();
  }
  process.exit(0);
}

async function waitForLeader(url: string) {
  for (let i = 0; i < 100; i++) {
    const health = (await (await fetch(`${url}/health`)).json()) as { changeFeed?: string };
    if (health.changeFeed === 'following') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the first instance did not start following the change feed');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
