/**
 * npm run bench:peers — our cache side by side with the libraries a NestJS team would pick
 * instead, on the same cached route and data (the demo list: 100 documents, ~16.5 KB of JSON,
 * from one MongoDB and one Redis), in one run. Every server runs in its own process; autocannon
 * runs here.
 *   ours          the whole Nest app, GET /demo/items?limit=100 (L1 hit; L2 hit with CACHE_L1_ENABLED=false)
 *   bentocache    bare Fastify, memory + Redis tiers + bus (L2: Redis tier only), caching the JSON text or the objects
 *   cacheable     bare Fastify, memory + @keyv/redis (L2: @keyv/redis as its only tier), text or objects
 *   ceiling       bare Fastify sending the same bytes, pre-serialized: the physical ceiling
 *   flask         the original Flask store API (gunicorn, 2 workers) when FLASK_PEER_DIR is set
 * Then, sequentially: miss and invalidation cost, cold list latency against the Flask peer, the
 * forced race (20 trials per cache) and memory per entry (100 list pages of 100 documents: growth of
 * the live JS heap + Buffers after a full GC, read through a preloaded probe, bench/peers/memory-probe.ts).
 * Env: BENCH_CONNECTIONS (50), BENCH_DURATION (10 s per route and round), BENCH_ROUNDS (3; each
 * figure is the round with the median requests/s), BENCH_TRIALS (100 sequential trials for
 * latencies, after BENCH_WARMUP_TRIALS (50) unrecorded ones per server), BENCH_PHASES (throughput,costs,flask,race,memory: a subset runs only those),
 * FLASK_PEER_DIR, MONGODB_URI / REDIS_URL (else embedded servers).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import mongoose from 'mongoose';
import { load, LoadResult, printTable, ratio } from './lib/load';
import { AppProcess, startAppProcess, startBenchServers, startNodeProcess } from './lib/servers';
import { FlaskPeer, startFlaskPeer } from './peers/flask-peer';
import { HoldProxy } from './peers/hold-proxy';
import {
  CostTarget,
  Costs,
  interleavedCosts,
  Latency,
  memoryPerEntry,
  memoryPerEntryByPass,
  memoryProbeEnv,
  percentiles,
  timed,
} from './peers/measure';
import { forceRace, RaceResult, RaceTarget } from './peers/race';

const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}` };
const DB = 'bench_peers';
const COLLECTION = 'demo_items';
const LIST = '/demo/items?limit=100';
const STOCK_LIST = '/demo/items-stock?limit=100';
const PHASES = ['throughput', 'costs', 'flask', 'race', 'memory'];
const PEER_LIST = '/items?limit=100';
const RACE_TRIALS = 20;
const MEMORY_PAGES = 100;

type Library = 'bentocache' | 'cacheable';
const LIBRARIES: Library[] = ['bentocache', 'cacheable'];

function progress(message: string) {
  console.log(`[peers ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

async function main() {
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
  const durationSeconds = Number(process.env.BENCH_DURATION ?? 10);
  const trials = Number(process.env.BENCH_TRIALS ?? 100);
  const warmupTrials = Number(process.env.BENCH_WARMUP_TRIALS ?? 50);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const phases = new Set((process.env.BENCH_PHASES ?? PHASES.join(',')).split(','));
  const unknown = [...phases].filter((phase) => !PHASES.includes(phase));
  if (unknown.length) throw new Error(`unknown BENCH_PHASES ${unknown.join(',')}; known: ${PHASES.join(',')}`);
  const flaskDir = process.env.FLASK_PEER_DIR;
  const servers = await startBenchServers();
  const redis = new Redis(servers.redisUrl);
  const mongo = await mongoose.createConnection(servers.mongodbUri, { dbName: DB }).asPromise();
  const items = mongo.db!.collection(COLLECTION);
  const running: AppProcess[] = [];
  const started = async <T extends AppProcess>(process: Promise<T>) => {
    const p = await process;
    running.push(p);
    return p;
  };
  const stop = async (p: AppProcess) => {
    running.splice(running.indexOf(p), 1);
    await p.stop();
  };
  const peerScript = join(__dirname, 'peers', 'peer-server.js');
  const base = { MONGODB_URI: servers.mongodbUri, MONGODB_DB: DB, REDIS_URL: servers.redisUrl, DEMO_ROUTES: 'true', ADMIN_TOKEN };
  const peerEnv = (peer: string, store = 'string', tiers = 'l1+l2', redisUrl = servers.redisUrl) => ({
    PEER: peer,
    PEER_STORE: store,
    PEER_TIERS: tiers,
    MONGODB_URI: servers.mongodbUri,
    MONGODB_DB: DB,
    REDIS_URL: redisUrl,
  });
  const proxies: HoldProxy[] = [];

  try {
    progress(`MongoDB: ${servers.mongoKind}; starting our app (L1+L2 and L2 only)`);
    const ours = await started(startAppProcess(base));
    const oursL2 = await started(startAppProcess({ ...base, CACHE_L1_ENABLED: 'false' }));
    const seeded = await fetch(`${ours.url}/demo/seed`, {
      method: 'POST',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: JSON.stringify({ count: 100 }),
    });
    if (!seeded.ok) throw new Error(`seeding failed: ${seeded.status} ${await seeded.text()}`);
    const body = await (await fetch(`${ours.url}${LIST}`)).text();
    const ids = (JSON.parse(body) as { items: { _id: string }[] }).items.map((item) => item._id);
    for (const app of [ours, oursL2]) await fetch(`${app.url}${LIST}`);
    await fetch(`${ours.url}${STOCK_LIST}`);
    const listKey = await findKey(redis, 'demo:list*');
    const results: Record<string, LoadResult> = {};
    const sameBytes: Record<string, boolean> = {};
    const costs: Record<string, Costs> = {};
    const race: Record<string, RaceResult> = {};
    const memory: Record<string, number> = {};
    let flask: { cold: Latency; oursCold: Latency; bytes: number } | undefined;
    let flaskPeer: FlaskPeer | undefined;
    if (flaskDir && (phases.has('throughput') || phases.has('flask'))) {
      progress('starting the Flask peer (storeAPI_Redis, gunicorn -w 2)');
      flaskPeer = await started(startFlaskPeer(flaskDir, servers.mongodbUri, DB, servers.redisUrl));
    } else if (!flaskDir) {
      progress('Flask peer skipped: set FLASK_PEER_DIR to a checkout of storeAPI_Redis (see README "Benchmarks")');
    }

    const options = { connections, durationSeconds };
    progress(
      `${connections} connections, ${durationSeconds} s per route (+1 s unrecorded warm-up), ${rounds} rounds, ${Buffer.byteLength(body)} byte body`,
    );

    if (phases.has('throughput')) {
      // Throughput: every server up at once, idle but for the one under load; the routes take turns
      // round by round, so a burst of load from elsewhere on the machine hits all of them alike.
      const routes: { name: string; url: string; path: string }[] = [];
      const ceiling = await started(startNodeProcess(peerScript, peerEnv('constant')));
      sameBytes.ceiling = (await (await fetch(`${ceiling.url}/constant`)).text()) === body;
      routes.push({ name: 'ceiling', url: ceiling.url, path: '/constant' });
      routes.push(
        { name: 'ours_l1', url: ours.url, path: LIST },
        { name: 'ours_l2', url: oursL2.url, path: LIST },
        { name: 'ours_stock', url: ours.url, path: STOCK_LIST },
      );
      const peers: AppProcess[] = [ceiling];
      for (const library of LIBRARIES) {
        for (const store of ['string', 'object']) {
          for (const tier of ['l1', 'l2']) {
            const name = `${library}_${store}_${tier}`;
            progress(`starting ${name}`);
            const peer = await started(startNodeProcess(peerScript, peerEnv(library, store, tier === 'l1' ? 'l1+l2' : 'l2')));
            peers.push(peer);
            sameBytes[name] = (await (await fetch(`${peer.url}${PEER_LIST}`)).text()) === body;
            routes.push({ name, url: peer.url, path: PEER_LIST });
          }
        }
      }
      if (flaskPeer) routes.push({ name: 'flask_hot', url: flaskPeer.url, path: flaskPeer.listPath(COLLECTION) });
      const runs: Record<string, LoadResult[]> = {};
      for (let round = 1; round <= rounds; round++) {
        for (const { name, url, path } of round % 2 ? routes : [...routes].reverse()) {
          progress(`round ${round}/${rounds}: ${name}`);
          const result = await load(name, url, path, options);
          if (result.non2xx || result.errors) throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
          (runs[name] ??= []).push(result);
        }
      }
      for (const [name, r] of Object.entries(runs)) results[name] = medianRun(r);
      for (const peer of peers) await stop(peer);
    }

    if (phases.has('costs')) {
      // Miss, invalidation and write cost: sequential, every server up, taking turns.
      progress(`miss, invalidation and write cost (${trials} trials each after ${warmupTrials} unrecorded, servers taking turns)`);
      const targets: CostTarget[] = [
        {
          name: 'ours',
          invalidate: () => timed(`${ours.url}/cache/entries/${encodeURIComponent(listKey)}`, { method: 'DELETE', headers: ADMIN }),
          read: () => timed(`${ours.url}${LIST}`),
          write: (i) =>
            timed(`${ours.url}/demo/items/${ids[99]}`, {
              method: 'PATCH',
              headers: { ...ADMIN, 'content-type': 'application/json' },
              body: JSON.stringify({ name: `write ${i}` }),
            }),
        },
      ];
      const peers: AppProcess[] = [];
      for (const library of LIBRARIES) {
        for (const store of ['string', 'object']) {
          const peer = await started(startNodeProcess(peerScript, peerEnv(library, store)));
          peers.push(peer);
          await fetch(`${peer.url}${PEER_LIST}`);
          targets.push({
            name: `${library}_${store}`,
            invalidate: () => timed(`${peer.url}/cache/${encodeURIComponent('list:1:100')}`, { method: 'DELETE' }),
            read: () => timed(`${peer.url}${PEER_LIST}`),
            write: (i) =>
              timed(`${peer.url}/items/${ids[99]}`, {
                method: 'PUT',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ name: `write ${i}` }),
              }),
          });
        }
      }
      Object.assign(costs, await interleavedCosts(targets, trials, warmupTrials));
      for (const peer of peers) await stop(peer);
    }

    // The Flask peer: cold list (its Redis key deleted before each read) and hot list, beside ours.
    if (flaskPeer && phases.has('flask')) {
      progress(`cold list: ours vs the Flask peer (${trials} trials each, interleaved)`);
      const flaskList = flaskPeer.listPath(COLLECTION);
      const flaskBody = await (await fetch(`${flaskPeer.url}${flaskList}`)).text();
      if ((JSON.parse(flaskBody) as unknown[]).length !== ids.length) throw new Error('the Flask peer does not list the same documents');
      const flaskCold: number[] = [];
      const oursCold: number[] = [];
      for (let i = 0; i < trials; i++) {
        // Interleaved, so both see the same machine load.
        await redis.del(`${COLLECTION}:list`);
        flaskCold.push(await timed(`${flaskPeer.url}${flaskList}`));
        // 404 is fine: a write may already have removed it.
        const dropped = await fetch(`${ours.url}/cache/entries/${encodeURIComponent(listKey)}`, { method: 'DELETE', headers: ADMIN });
        if (dropped.status !== 204 && dropped.status !== 404) throw new Error(`admin DELETE: ${dropped.status}`);
        oursCold.push(await timed(`${ours.url}${LIST}`));
      }
      flask = { cold: percentiles(flaskCold), oursCold: percentiles(oursCold), bytes: Buffer.byteLength(flaskBody) };
    }
    if (flaskPeer) await stop(flaskPeer);

    if (phases.has('race')) {
      // The forced race: instance A's Redis through a proxy that holds the stale store.
      progress(`forced race (${RACE_TRIALS} trials per cache)`);
      const target = new URL(servers.redisUrl);
      const newProxy = async () => {
        const proxy = new HoldProxy({ host: target.hostname, port: Number(target.port) });
        proxies.push(proxy);
        return { proxy, url: await proxy.listen() };
      };
      const setName = async (id: string, name: string) => {
        await items.updateOne({ _id: new mongoose.Types.ObjectId(id) }, { $set: { name } });
      };
      {
        const { proxy, url } = await newProxy();
        // A long Redis timeout: the held store must not be abandoned as "Redis down".
        const reader = await started(startAppProcess({ ...base, REDIS_URL: url, CACHE_REDIS_TIMEOUT_MS: '10000' }));
        const oursTarget = (name: string, write: RaceTarget['write']): RaceTarget => ({
          name,
          readerUrl: reader.url,
          otherUrl: ours.url,
          proxy,
          itemPath: (id) => `/demo/items/${id}`,
          prepare: setName,
          write,
        });
        race.ours_invalidate = await forceRace(
          oursTarget('ours-invalidate', async (id, name) => {
            const response = await fetch(`${ours.url}/demo/items/${id}`, {
              method: 'PATCH',
              headers: { ...ADMIN, 'content-type': 'application/json' },
              body: JSON.stringify({ name }),
            });
            if (!response.ok) throw new Error(`PATCH: ${response.status}`);
          }),
          ids.slice(0, RACE_TRIALS),
        );
        race.ours_admin_delete = await forceRace(
          oursTarget('ours-admin-delete', async (id, name) => {
            await setName(id, name);
            const response = await fetch(`${ours.url}/cache/entries/${encodeURIComponent(`demo:id:${id}`)}`, {
              method: 'DELETE',
              headers: ADMIN,
            });
            // 404: nothing was stored yet (the stale store is the one being held); the delete still ran.
            if (response.status !== 204 && response.status !== 404) throw new Error(`admin DELETE: ${response.status}`);
          }),
          ids.slice(RACE_TRIALS, 2 * RACE_TRIALS),
        );
        await stop(reader);
      }
      for (const [n, library] of LIBRARIES.entries()) {
        const { proxy, url } = await newProxy();
        const reader = await started(startNodeProcess(peerScript, peerEnv(library, 'string', 'l1+l2', url)));
        const writer = await started(startNodeProcess(peerScript, peerEnv(library)));
        race[library] = await forceRace(
          {
            name: library,
            readerUrl: reader.url,
            otherUrl: writer.url,
            proxy,
            itemPath: (id) => `/items/${id}`,
            prepare: setName,
            write: async (id, name) => {
              const response = await fetch(`${writer.url}/items/${id}`, {
                method: 'PUT',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ name }),
              });
              if (!response.ok) throw new Error(`PUT: ${response.status}`);
            },
          },
          ids.slice((2 + n) * RACE_TRIALS, (3 + n) * RACE_TRIALS),
        );
        await stop(reader);
        await stop(writer);
      }
    }

    if (phases.has('memory')) {
      // Memory per entry: 100 distinct list pages of 100 documents each, live-memory growth of the server.
      progress(`memory per entry (${MEMORY_PAGES} list pages of 100 documents; live heap + buffers after a full GC)`);
      const reseed = await fetch(`${ours.url}/demo/seed`, {
        method: 'POST',
        headers: { ...ADMIN, 'content-type': 'application/json' },
        body: JSON.stringify({ count: MEMORY_PAGES * 100 }),
      });
      if (!reseed.ok) throw new Error(`reseeding failed: ${reseed.status}`);
      const pages = (prefix: string) => Array.from({ length: MEMORY_PAGES }, (_, i) => `${prefix}?limit=100&page=${i + 1}`);
      const probeDir = mkdtempSync(join(tmpdir(), 'peers-memory-'));
      const freshOurs = await started(startAppProcess({ ...base, ...memoryProbeEnv(join(probeDir, 'ours.json')) }));
      await fetch(`${freshOurs.url}/demo/items?limit=100&page=${MEMORY_PAGES + 1}`);
      // A first read stores the body; a second adds its br and gzip forms (see L1Store): both figures.
      [memory.ours, memory.ours_read_twice] = await memoryPerEntryByPass(
        freshOurs.pid,
        join(probeDir, 'ours.json'),
        freshOurs.url,
        pages('/demo/items'),
        2,
      );
      await stop(freshOurs);
      for (const library of LIBRARIES) {
        for (const store of ['string', 'object']) {
          const file = join(probeDir, `${library}-${store}.json`);
          const peer = await started(startNodeProcess(peerScript, { ...peerEnv(library, store), ...memoryProbeEnv(file) }));
          await fetch(`${peer.url}/items?limit=100&page=${MEMORY_PAGES + 1}`);
          memory[`${library}_${store}`] = await memoryPerEntry(peer.pid, file, peer.url, pages('/items'));
          await stop(peer);
        }
      }
      rmSync(probeDir, { recursive: true, force: true });
    }

    if (results.ceiling) printTable(Object.values(results), results.ceiling);
    if (Object.keys(costs).length)
      console.table(
        Object.fromEntries(
          Object.entries(costs).map(([name, c]) => [
            name,
            {
              'miss p50 ms': c.miss.p50_ms,
              'miss p99 ms': c.miss.p99_ms,
              'invalidate p50 ms': c.invalidation.p50_ms,
              'write+invalidate p50 ms': c.write.p50_ms,
              'memory/entry KB': memory[name] === undefined ? '' : Math.round(memory[name] / 102.4) / 10,
            },
          ]),
        ),
      );
    if (Object.keys(race).length)
      console.table(
        Object.fromEntries(Object.entries(race).map(([name, r]) => [name, { ...r, fresh: r.trials - r.not_forced - r.stale }])),
      );
    if (flask)
      console.table({
        ours: { 'cold p50 ms': flask.oursCold.p50_ms, 'cold p99 ms': flask.oursCold.p99_ms, 'hot rps': results.ours_l1?.rps },
        flask: { 'cold p50 ms': flask.cold.p50_ms, 'cold p99 ms': flask.cold.p99_ms, 'hot rps': results.flask_hot?.rps },
      });

    const rps = (name: string) => results[name]?.rps;
    // A ratio only when both figures were measured in this run.
    const over = (a?: number, b?: number) => (a === undefined || b === undefined ? undefined : ratio(a, b));
    const figures = {
      bench: 'peers',
      connections,
      duration_s: durationSeconds,
      rounds,
      trials,
      body_bytes: Buffer.byteLength(body),
      mongo: servers.mongoKind,
      same_bytes: phases.has('throughput') ? Object.values(sameBytes).every(Boolean) : undefined,
      ceiling_rps: rps('ceiling'),
      ours_l1_rps: rps('ours_l1'),
      ours_l2_rps: rps('ours_l2'),
      stock_rps: rps('ours_stock'),
      ...Object.fromEntries(
        LIBRARIES.flatMap((library) => [
          [`${library}_l1_rps`, rps(`${library}_string_l1`)],
          [`${library}_l2_rps`, rps(`${library}_string_l2`)],
          [`${library}_object_l1_rps`, rps(`${library}_object_l1`)],
          [`${library}_object_l2_rps`, rps(`${library}_object_l2`)],
        ]),
      ),
      ...Object.fromEntries(
        Object.values(results).flatMap((r) => [
          [`${r.name}_p50_ms`, r.p50_ms],
          [`${r.name}_p99_ms`, r.p99_ms],
        ]),
      ),
      ...Object.fromEntries(
        Object.entries(costs).flatMap(([name, c]) => [
          [`${name}_miss_p50_ms`, c.miss.p50_ms],
          [`${name}_invalidate_p50_ms`, c.invalidation.p50_ms],
          [`${name}_write_invalidate_p50_ms`, c.write.p50_ms],
        ]),
      ),
      ...Object.fromEntries(Object.entries(memory).map(([name, bytes]) => [`${name}_bytes_per_entry`, bytes])),
      ...Object.fromEntries(Object.entries(race).map(([name, r]) => [`stale_after_race_${name}`, r.stale])),
      race_trials: RACE_TRIALS,
      race_not_forced: Object.values(race).reduce((sum, r) => sum + r.not_forced, 0),
      flask_cold_p50_ms: flask?.cold.p50_ms,
      ours_cold_p50_ms: flask?.oursCold.p50_ms,
      flask_hot_rps: rps('flask_hot'),
      flask_body_bytes: flask?.bytes,
      // The goal table of issue 14.
      l1_over_bare_ceiling: over(rps('ours_l1'), rps('ceiling')),
      l2_over_bentocache_l2: over(rps('ours_l2'), rps('bentocache_string_l2')),
      l1_over_bentocache_l1: over(rps('ours_l1'), rps('bentocache_string_l1')),
      l1_over_cacheable_l1: over(rps('ours_l1'), rps('cacheable_string_l1')),
      l1_over_stock: over(rps('ours_l1'), rps('ours_stock')),
      l2_over_cacheable_l2: over(rps('ours_l2'), rps('cacheable_string_l2')),
      cold_ours_over_flask: over(flask?.oursCold.p50_ms, flask?.cold.p50_ms),
      hot_ours_over_flask: over(rps('ours_l1'), rps('flask_hot')),
    };
    console.log(JSON.stringify(figures));
  } catch (error) {
    for (const p of running) if (p.stderr()) console.error(`stderr of ${p.url}:\n${p.stderr()}`);
    throw error;
  } finally {
    await Promise.allSettled(running.map((p) => p.stop()));
    await Promise.allSettled(proxies.map((p) => p.close()));
    redis.disconnect();
    await mongo.close();
    await servers.stop();
  }
}

/** The one key matching `pattern` (SCAN): the app names its list keys by a hash of the query. */
async function findKey(redis: Redis, pattern: string): Promise<string> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  if (keys.length !== 1) throw new Error(`expected one key matching ${pattern}, found ${keys.join(', ') || 'none'}`);
  return keys[0];
}

/** The run with the median requests/s (its own latencies with it). */
function medianRun(runs: LoadResult[]): LoadResult {
  return [...runs].sort((a, b) => a.rps - b.rps)[Math.floor(runs.length / 2)];
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
