/**
 * npm run bench:cache — the shared cache side by side in one run, same connections and duration:
 *   trivial   GET /demo/ping            { ok: true }: the framework's ceiling
 *   ceiling   GET /demo/constant        the list's exact bytes, pre-serialized: the ceiling for a cached route
 *   l1        GET /demo/items?limit=100 served from the in-process tier
 *   l2        the same, L1 off (Redis)
 *   l2_cluster  the same, L1 off, on a local Redis Cluster (6 redis-servers; BENCH_CLUSTER=false skips it)
 *   miss      the same, cache bypassed (every request reads MongoDB)
 *   stock     the same data behind @nestjs/cache-manager's CacheInterceptor (Keyv + Redis)
 * Each app runs in its own process; autocannon runs here. Env: BENCH_CONNECTIONS (50),
 * BENCH_DURATION (10 s), MONGODB_URI / REDIS_URL (else embedded servers).
 */
import { RedisClusterHarness, startRedisCluster } from '../src/infra/embedded/redis-cluster';
import { load, LoadResult, printTable, ratio } from './lib/load';
import { startAppProcess, startBenchServers } from './lib/servers';

const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const LIST = '/demo/items?limit=100';

async function main() {
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
  const durationSeconds = Number(process.env.BENCH_DURATION ?? 10);
  const servers = await startBenchServers();
  const base = {
    MONGODB_URI: servers.mongodbUri,
    MONGODB_DB: 'bench_cache',
    REDIS_URL: servers.redisUrl,
    DEMO_ROUTES: 'true',
    ADMIN_TOKEN,
  };
  const apps = [];
  let cluster: RedisClusterHarness | undefined;
  try {
    const cached = await startAppProcess(base);
    apps.push(cached);
    const l2Only = await startAppProcess({ ...base, CACHE_L1_ENABLED: 'false' });
    apps.push(l2Only);
    const bypass = await startAppProcess({ ...base, CACHE_ENABLED: 'false' });
    apps.push(bypass);

    const seeded = await fetch(`${cached.url}/demo/seed`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ count: 100 }),
    });
    if (!seeded.ok) throw new Error(`seeding failed: ${seeded.status} ${await seeded.text()}`);
    const body = await (await fetch(`${cached.url}${LIST}`)).text();
    const constant = await (await fetch(`${cached.url}/demo/constant`)).text();
    if (body !== constant) throw new Error('the constant route does not send the same bytes as the list');
    const clusterL2 = process.env.BENCH_CLUSTER === 'false' ? undefined : await startClusterApp();
    async function startClusterApp() {
      cluster = await startRedisCluster();
      const app = await startAppProcess({ ...base, REDIS_URL: cluster.url, CACHE_L1_ENABLED: 'false' });
      apps.push(app);
      return app;
    }
    for (const app of [cached, l2Only, ...(clusterL2 ? [clusterL2] : [])]) await fetch(`${app.url}${LIST}`); // warm the tiers
    await fetch(`${cached.url}/demo/items-stock?limit=100`);

    const options = { connections, durationSeconds };
    console.log(
      `${connections} connections, ${durationSeconds} s per route, ${Buffer.byteLength(body)} byte body, MongoDB: ${servers.mongoKind}`,
    );
    const results: Record<string, LoadResult> = {};
    for (const [name, url, path] of [
      ['trivial', cached.url, '/demo/ping'],
      ['ceiling', cached.url, '/demo/constant'],
      ['l1', cached.url, LIST],
      ['l2', l2Only.url, LIST],
      ...(clusterL2 ? ([['l2_cluster', clusterL2.url, LIST]] as const) : []),
      ['miss', bypass.url, LIST],
      ['stock', cached.url, '/demo/items-stock?limit=100'],
    ] as const) {
      results[name] = await load(name, url, path, options);
      if (results[name].non2xx || results[name].errors)
        throw new Error(`${name}: ${results[name].non2xx} non-2xx, ${results[name].errors} errors`);
    }
    const tiers = (await (await fetch(`${cached.url}/cache/stats`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as {
      namespaces?: Record<string, { hitRatio: number }>;
    };

    printTable(Object.values(results), results.ceiling);
    const figures = {
      bench: 'cache',
      connections,
      duration_s: durationSeconds,
      body_bytes: Buffer.byteLength(body),
      mongo: servers.mongoKind,
      trivial_rps: results.trivial.rps,
      ceiling_rps: results.ceiling.rps,
      l1_rps: results.l1.rps,
      l2_rps: results.l2.rps,
      // Hits from Redis alone (L1 off), one server vs a Cluster of 3 masters, side by side.
      standalone_l2_rps: results.l2.rps,
      cluster_l2_rps: results.l2_cluster?.rps,
      cluster_over_standalone_l2: results.l2_cluster ? ratio(results.l2_cluster.rps, results.l2.rps) : undefined,
      miss_rps: results.miss.rps,
      stock_rps: results.stock.rps,
      ...Object.fromEntries(
        Object.values(results).flatMap((r) => [
          [`${r.name}_p50_ms`, r.p50_ms],
          [`${r.name}_p99_ms`, r.p99_ms],
        ]),
      ),
      l1_over_ceiling: ratio(results.l1.rps, results.ceiling.rps),
      l1_over_trivial: ratio(results.l1.rps, results.trivial.rps),
      l1_over_miss: ratio(results.l1.rps, results.miss.rps),
      l1_over_stock: ratio(results.l1.rps, results.stock.rps),
      l2_over_miss: ratio(results.l2.rps, results.miss.rps),
      l1_hit_ratio_during_run: tiers.namespaces?.demo?.hitRatio,
    };
    console.log(
      `targets: l1 >= 0.7 x ceiling: ${figures.l1_over_ceiling >= 0.7}; l1 >= 5 x miss: ${figures.l1_over_miss >= 5}; l1 >= stock: ${figures.l1_over_stock >= 1}`,
    );
    console.log(JSON.stringify(figures));
  } finally {
    await Promise.allSettled(apps.map((a) => a.stop()));
    await cluster?.stop();
    await servers.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
