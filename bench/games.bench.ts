/**
 * npm run bench:games — the games API, cached vs cache bypassed, side by side in one run:
 *   list   GET /games?limit=100   (100 games: the 8 sample ones + 92 generated)
 *   id     GET /games/:id         (a random one of the 100 per request)
 * Two app processes on the same MongoDB and Redis: the default (two-tier cache) and CACHE_ENABLED=false.
 * Phase 1, the original store API's own kind of figure: sequential single requests on one keep-alive connection
 * (cold = cache bypassed, miss = first read of a key, hot = cache hit), mean ms each.
 * Phase 2, throughput: autocannon, same connections and duration for every route.
 * Env: BENCH_CONNECTIONS (50), BENCH_DURATION (8 s), BENCH_SEQUENTIAL (200), MONGODB_URI / REDIS_URL (else embedded).
 */
import { MongoClient } from 'mongodb';
import { generateStore, loadSampleStore } from '../src/games/store-data';
import { load, LoadResult, printTable, ratio } from './lib/load';
import { AppProcess, startAppProcess, startBenchServers } from './lib/servers';

const DB = 'bench_games';
const GAMES = 100;
const LIST = '/games?limit=100';

async function main() {
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
  const durationSeconds = Number(process.env.BENCH_DURATION ?? 8);
  const sequential = Number(process.env.BENCH_SEQUENTIAL ?? 200);
  const servers = await startBenchServers();
  const apps: AppProcess[] = [];
  try {
    const ids = await seedGames(servers.mongodbUri);
    const base = { MONGODB_URI: servers.mongodbUri, MONGODB_DB: DB, REDIS_URL: servers.redisUrl };
    const cached = await startAppProcess(base);
    apps.push(cached);
    const bypass = await startAppProcess({ ...base, CACHE_ENABLED: 'false' });
    apps.push(bypass);
    await expectCacheHeader(bypass.url, LIST, 'BYPASS');
    const listBody = await (await fetch(`${bypass.url}${LIST}`)).text();
    const listed = JSON.parse(listBody) as { total: number; items: unknown[] };
    if (listed.total !== GAMES || listed.items.length !== GAMES) throw new Error(`expected ${GAMES} games, the list has ${listed.total}`);
    console.log(`${GAMES} games, list body ${Buffer.byteLength(listBody)} bytes, MongoDB: ${servers.mongoKind}`);

    // Phase 1: one request at a time on one connection, like the original store API's pytest timing.
    const idPaths = Array.from({ length: sequential }, (_, i) => `/games/${ids[i % ids.length]}`);
    const seq = {
      id_cold: await sequentialMeanMs(bypass.url, idPaths, 'BYPASS'),
      // The first read of each id on the cached app: a real miss (MongoDB read + store in both tiers).
      id_miss: await sequentialMeanMs(
        cached.url,
        ids.map((id) => `/games/${id}`),
        'MISS',
      ),
      id_hot: await sequentialMeanMs(cached.url, idPaths, 'HIT'),
      list_cold: await sequentialMeanMs(bypass.url, Array(sequential).fill(LIST), 'BYPASS'),
      list_hot: await (async () => {
        await expectCacheHeader(cached.url, LIST, 'MISS');
        return sequentialMeanMs(cached.url, Array(sequential).fill(LIST), 'HIT');
      })(),
    };
    console.table(Object.fromEntries(Object.entries(seq).map(([name, ms]) => [name, { 'mean ms': ms }])));
    console.log(
      `sequential single requests: id cold ${seq.id_cold} ms vs hot ${seq.id_hot} ms (${ratio(seq.id_cold, seq.id_hot)}x); ` +
        `list cold ${seq.list_cold} ms vs hot ${seq.list_hot} ms (${ratio(seq.list_cold, seq.list_hot)}x). The original store API reported COLD 8.5 ms vs HOT 7.0 ms (1.2x).`,
    );

    // Phase 2: throughput, cached and bypassed routes one after another with the same settings.
    const options = { connections, durationSeconds };
    const idPathsRandom = ids.map((id) => `/games/${id}`);
    const results: Record<string, LoadResult> = {};
    for (const [name, url, path, paths] of [
      ['list_hot', cached.url, LIST, undefined],
      ['list_cold', bypass.url, LIST, undefined],
      ['id_hot', cached.url, idPathsRandom[0], idPathsRandom],
      ['id_cold', bypass.url, idPathsRandom[0], idPathsRandom],
    ] as const) {
      results[name] = await load(name, url, path, { ...options, paths: paths ? [...paths] : undefined });
      if (results[name].non2xx || results[name].errors) {
        throw new Error(`${name}: ${results[name].non2xx} non-2xx, ${results[name].errors} errors`);
      }
    }
    console.log(`${connections} connections, ${durationSeconds} s per route`);
    printTable(Object.values(results), results.list_cold);

    const figures = {
      bench: 'games',
      games: GAMES,
      list_body_bytes: Buffer.byteLength(listBody),
      mongo: servers.mongoKind,
      connections,
      duration_s: durationSeconds,
      ...Object.fromEntries(
        Object.values(results).flatMap((r) => [
          [`${r.name}_rps`, r.rps],
          [`${r.name}_p50_ms`, r.p50_ms],
          [`${r.name}_p99_ms`, r.p99_ms],
        ]),
      ),
      list_hot_over_cold_rps: ratio(results.list_hot.rps, results.list_cold.rps),
      id_hot_over_cold_rps: ratio(results.id_hot.rps, results.id_cold.rps),
      seq_requests: sequential,
      seq_id_cold_mean_ms: seq.id_cold,
      seq_id_miss_mean_ms: seq.id_miss,
      seq_id_hot_mean_ms: seq.id_hot,
      seq_list_cold_mean_ms: seq.list_cold,
      seq_list_hot_mean_ms: seq.list_hot,
      seq_id_cold_over_hot: ratio(seq.id_cold, seq.id_hot),
      seq_id_miss_over_hot: ratio(seq.id_miss, seq.id_hot),
      seq_list_cold_over_hot: ratio(seq.list_cold, seq.list_hot),
    };
    console.log(JSON.stringify(figures));
  } finally {
    await Promise.allSettled(apps.map((a) => a.stop()));
    await servers.stop();
  }
}

/** 100 games (the sample 8 + 92 generated, seed 1) straight into MongoDB; returns their ids. */
async function seedGames(uri: string): Promise<string[]> {
  const client = await MongoClient.connect(uri);
  try {
    const db = client.db(DB);
    await db.dropDatabase();
    const sample = loadSampleStore().games;
    const docs = [...sample, ...generateStore(1, GAMES - sample.length, sample).games];
    const { insertedIds } = await db.collection('games').insertMany(docs.map((d) => ({ ...d })));
    return Object.values(insertedIds).map(String);
  } finally {
    await client.close();
  }
}

/** Mean milliseconds per request, one request at a time (fetch keeps one connection alive). */
async function sequentialMeanMs(baseUrl: string, paths: string[], expected: string): Promise<number> {
  let total = 0;
  for (const path of paths) {
    const started = performance.now();
    const res = await fetch(`${baseUrl}${path}`);
    await res.arrayBuffer();
    total += performance.now() - started;
    if (res.status !== 200 || res.headers.get('x-cache') !== expected) {
      throw new Error(`${path}: status ${res.status}, X-Cache ${res.headers.get('x-cache')} (expected ${expected})`);
    }
  }
  return Math.round((total / paths.length) * 1000) / 1000;
}

async function expectCacheHeader(baseUrl: string, path: string, expected: string) {
  const res = await fetch(`${baseUrl}${path}`);
  await res.arrayBuffer();
  if (res.headers.get('x-cache') !== expected) throw new Error(`${path}: X-Cache ${res.headers.get('x-cache')}, expected ${expected}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
