/**
 * npm run bench:cache — the shared cache side by side in one run, same connections and duration:
 *   trivial   GET /demo/ping            { ok: true }: the framework's ceiling
 *   ceiling   GET /demo/constant        the list's exact bytes, pre-serialized: the ceiling for a cached route
 *   l1        GET /demo/items?limit=100 served from the in-process tier
 *   l2        the same, L1 off (Redis)
 *   l2_cluster  the same, L1 off, on a local Redis Cluster (6 redis-servers; BENCH_CLUSTER=false skips it)
 *   miss      the same, cache bypassed (every request reads MongoDB)
 *   stock     the same data behind @nestjs/cache-manager's CacheInterceptor (Keyv + Redis)
 *   bare_ceiling      bare Fastify (no Nest) sending the same bytes: the physical ceiling
 *   etag_304          the l1 route revalidated: If-None-Match with its ETag, answered 304 with no body
 *   br                the l1 route for a client accepting br: the stored compressed form
 *   compress_plugin   bare Fastify + @fastify/compress compressing the same bytes per request (br)
 * Each app runs in its own process; autocannon runs here. Env: BENCH_CONNECTIONS (50),
 * BENCH_DURATION (10 s), BENCH_ROUNDS (1; with more, each figure is the round with the median rps), MONGODB_URI / REDIS_URL (else embedded servers).
 */
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { RedisClusterHarness, startRedisCluster } from '../src/infra/embedded/redis-cluster';
import { load, LoadResult, printTable, ratio } from './lib/load';
import { countRedisCommands, readCommands } from './lib/redis-commands';
import { startAppProcess, startBenchServers, startNodeProcess } from './lib/servers';

const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const LIST = '/demo/items?limit=100';

async function main() {
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
  const durationSeconds = Number(process.env.BENCH_DURATION ?? 10);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 1);
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
    const peerScript = join(__dirname, 'peers', 'peer-server.js');
    const peerEnv = (peer: string) => ({
      PEER: peer,
      MONGODB_URI: servers.mongodbUri,
      MONGODB_DB: 'bench_cache',
      REDIS_URL: servers.redisUrl,
    });
    const bare = await startNodeProcess(peerScript, peerEnv('constant'));
    apps.push(bare);
    const compressing = await startNodeProcess(peerScript, peerEnv('compress'));
    apps.push(compressing);
    const identity = await raw(`${cached.url}${LIST}`, {});
    const etag = identity.headers.etag as string;
    if (!etag) throw new Error('the cached list has no ETag');
    // The br form is computed in the background after the entry enters L1.
    let br = await raw(`${cached.url}${LIST}`, BR);
    for (let i = 0; i < 100 && br.headers['content-encoding'] !== 'br'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      br = await raw(`${cached.url}${LIST}`, BR);
    }
    if (br.headers['content-encoding'] !== 'br') throw new Error('the br form of the cached list never appeared');
    const plugin = await raw(`${compressing.url}/constant`, BR);
    if (plugin.headers['content-encoding'] !== 'br') throw new Error('@fastify/compress did not compress the constant route');
    const bareBody = (await raw(`${bare.url}/constant`, {})).body.toString();
    if (bareBody !== body)
      throw new Error(`the bare ceiling does not send the same bytes:\n${bareBody.slice(0, 300)}\n${body.slice(0, 300)}`);

    const options = { connections, durationSeconds };
    console.log(
      `${connections} connections, ${durationSeconds} s per route and round, ${rounds} round(s), ${Buffer.byteLength(body)} byte body, MongoDB: ${servers.mongoKind}`,
    );
    const routes: [string, string, string, Record<string, string>?][] = [
      ['trivial', cached.url, '/demo/ping'],
      ['ceiling', cached.url, '/demo/constant'],
      ['l1', cached.url, LIST],
      ['l2', l2Only.url, LIST],
      ...(clusterL2 ? [['l2_cluster', clusterL2.url, LIST] as [string, string, string]] : []),
      ['miss', bypass.url, LIST],
      ['stock', cached.url, '/demo/items-stock?limit=100'],
      ['bare_ceiling', bare.url, '/constant'],
      ['etag_304', cached.url, LIST, { 'if-none-match': etag }],
      ['br', cached.url, LIST, BR],
      ['compress_plugin', compressing.url, '/constant', BR],
    ];
    // Rounds take turns (every other one reversed), so a burst of load from elsewhere on the
    // machine hits every route alike; each figure is its round with the median requests/s.
    const runs: Record<string, LoadResult[]> = {};
    for (let round = 1; round <= rounds; round++) {
      for (const [name, url, path, headers] of round % 2 ? routes : [...routes].reverse()) {
        const result = await load(name, url, path, { ...options, headers });
        const expected = name === 'etag_304' ? '304' : '200';
        const unexpected = Object.entries(result.statuses ?? {}).filter(([code]) => code !== expected);
        if (unexpected.length || result.errors)
          throw new Error(`${name}: ${JSON.stringify(Object.fromEntries(unexpected))} unexpected statuses, ${result.errors} errors`);
        (runs[name] ??= []).push(result);
      }
    }
    const results: Record<string, LoadResult> = Object.fromEntries(
      routes.map(([name]) => [name, [...runs[name]].sort((a, b) => a.rps - b.rps)[Math.floor(runs[name].length / 2)]]),
    );
    const tiers = (await (await fetch(`${cached.url}/cache/stats`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as {
      namespaces?: Record<string, { hitRatio: number }>;
    };

    const perMiss = await redisPerMiss(cached.url, servers.redisUrl);
    const perWrite = await invalidationsPerApiWrite(cached.url, servers.redisUrl);

    printTable(Object.values(results), results.ceiling);
    const figures = {
      bench: 'cache',
      connections,
      duration_s: durationSeconds,
      rounds,
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
      bare_ceiling_rps: results.bare_ceiling.rps,
      etag_304_rps: results.etag_304.rps,
      br_rps: results.br.rps,
      compress_plugin_rps: results.compress_plugin.rps,
      bytes_identity: identity.body.length,
      bytes_br: br.body.length,
      bytes_compress_plugin: plugin.body.length,
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
      l1_over_bare_ceiling: ratio(results.l1.rps, results.bare_ceiling.rps),
      l2_over_bare_ceiling: ratio(results.l2.rps, results.bare_ceiling.rps),
      etag_304_over_ceiling: ratio(results.etag_304.rps, results.ceiling.rps),
      br_over_compress_plugin: ratio(results.br.rps, results.compress_plugin.rps),
      bytes_br_over_identity: Math.round((br.body.length / identity.body.length) * 1000) / 1000,
      l1_hit_ratio_during_run: tiers.namespaces?.demo?.hitRatio,
      // Read commands sent to Redis per miss of a public cached route (MONITOR), and the rest.
      redis_reads_per_miss: perMiss.reads,
      redis_commands_per_miss: perMiss.commands,
      // Invalidation scripts run per API POST /games with the bench's instances and the change feed on.
      invalidations_per_api_write: perWrite.invalidations,
      api_writes_counted: perWrite.writes,
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

const BR = { 'accept-encoding': 'br' };
const MISSES_COUNTED = 50;
const WRITES_COUNTED = 20;

/** Distinct list URLs, each a miss, on a learnt route (its first request taught the fast path). */
async function redisPerMiss(url: string, redisUrl: string) {
  await fetch(`${url}/demo/items?limit=7`);
  const counts = await countRedisCommands(redisUrl, async () => {
    for (let i = 1; i <= MISSES_COUNTED; i++) {
      const res = await fetch(`${url}/demo/items?limit=${8 + i}`);
      if (res.headers.get('x-cache') !== 'MISS') throw new Error(`expected a miss, got ${res.headers.get('x-cache')}`);
    }
  });
  const commands = Object.entries(counts)
    .filter(([kind]) => !/^(ping|publish|subscribe|info|select|client)$/.test(kind))
    .reduce((sum, [, n]) => sum + n, 0);
  console.log(`Redis commands over ${MISSES_COUNTED} misses: ${JSON.stringify(counts)}`);
  return { reads: readCommands(counts) / MISSES_COUNTED, commands: commands / MISSES_COUNTED };
}

/** API inserts (they emit change events on the stand-in too), then the feed's follow-ups, counted. */
async function invalidationsPerApiWrite(url: string, redisUrl: string) {
  const counts = await countRedisCommands(redisUrl, async () => {
    for (let i = 0; i < WRITES_COUNTED; i++) {
      const res = await fetch(`${url}/games`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          item: `Bench game ${Date.now()}-${i}`,
          publisher: 'Bench',
          year: 2026,
          genre: ['Bench'],
          platforms: ['PC'],
          price: 1,
          available: 1,
        }),
      });
      if (res.status !== 201) throw new Error(`POST /games: ${res.status} ${await res.text()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 2000)); // the feed's followers apply what they saw
  });
  console.log(`Redis commands over ${WRITES_COUNTED} API writes: ${JSON.stringify(counts)}`);
  return { invalidations: (counts.invalidateNamespace ?? 0) / WRITES_COUNTED, writes: WRITES_COUNTED };
}

/** Status, headers and the bytes as sent (fetch would decode them). */
function raw(
  url: string,
  headers: Record<string, string>,
): Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
