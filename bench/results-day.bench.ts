/**
 * Results day: N candidates (default 100,000) check their vestibular result at once.
 *   (a) warm-up: POST /students/cache/warm puts every student into Redis (pipelined);
 *   (b) cache warm: autocannon on random existing registrations;
 *   (c) cache cold at release: the cache is cleared, then many concurrent clients ask for the same
 *       1,000 registrations; MongoDB `find` commands are counted at the wire (single-flight should
 *       keep them near 1,000);
 *   (d) cache bypassed (CACHE_ENABLED=false): the loads of (b) and (c) again.
 * Flags / env: --students N (RESULTS_DAY_STUDENTS), --duration S (RESULTS_DAY_DURATION, per load),
 * --connections C (RESULTS_DAY_CONNECTIONS). Quick run: npm run bench:results-day -- --students 20000 --duration 4
 * The last line printed is one JSON object with every figure.
 */
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { load, LoadResult, printTable, ratio } from './lib/load';
import { AppProcess, startAppProcess, startBenchServers } from './lib/servers';
import { startQueryCounter } from './results-day.query-counter';
import { REGISTRATION_BASE } from '../src/students/seed/registration';

const ADMIN_TOKEN = 'results-day-bench-admin-token';
const DB = 'results_day';
const RELEASE_REGISTRATIONS = 1000;
const RELEASE_CONNECTIONS = 200;
const RELEASE_REQUESTS = 20_000;

function option(flag: string, envName: string, fallback: number): number {
  const index = process.argv.indexOf(flag);
  const raw = index !== -1 ? process.argv[index + 1] : process.env[envName];
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) === 0) throw new Error(`${flag} / ${envName} must be a positive whole number, got "${raw}"`);
  return Number(raw);
}

const students = option('--students', 'RESULTS_DAY_STUDENTS', 100_000);
const durationSeconds = option('--duration', 'RESULTS_DAY_DURATION', 10);
const connections = option('--connections', 'RESULTS_DAY_CONNECTIONS', 50);

const seconds = (since: bigint) => Math.round((Number(process.hrtime.bigint() - since) / 1e9) * 1000) / 1000;
const registration = (i: number) => String(REGISTRATION_BASE + i);
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

function randomIndices(count: number, range: number): number[] {
  const picked = new Set<number>();
  while (picked.size < Math.min(count, range)) picked.add(Math.floor(Math.random() * range));
  return [...picked];
}

async function seed(env: Record<string, string>): Promise<number> {
  const started = process.hrtime.bigint();
  const cli = join(__dirname, '..', 'src', 'cli.js');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'seed', 'students', '--count', String(students), '--seed', '42', '--reset'], {
      env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`seed exited with ${code}`))));
  });
  return seconds(started);
}

/** Same 1,000 registrations, many concurrent clients, a fixed number of requests; returns MongoDB finds seen. */
async function release(app: AppProcess, paths: string[], counter: Awaited<ReturnType<typeof startQueryCounter>>) {
  // Let the previous load's in-flight requests (up to its connection count) finish before counting.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  counter.reset();
  const result = await autocannon({
    url: app.url,
    connections: RELEASE_CONNECTIONS,
    amount: RELEASE_REQUESTS,
    requests: [{ setupRequest: (req) => ({ ...req, path: paths[Math.floor(Math.random() * paths.length)] }) }],
  });
  const finds = counter.counts()['find students'] ?? 0;
  return {
    requests: result.requests.total,
    non2xx: result.non2xx,
    rps: Math.round(result.requests.average),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    mongo_finds: finds,
    finds_per_registration: ratio(finds, paths.length),
  };
}

async function expectHeader(app: AppProcess, path: string, expected: string) {
  const res = await fetch(`${app.url}${path}`);
  const got = res.headers.get('x-cache');
  if (res.status !== 200 || got !== expected)
    throw new Error(`GET ${path}: status ${res.status}, X-Cache ${got}; expected 200 ${expected}`);
}

async function main() {
  const servers = await startBenchServers();
  const counter = await startQueryCounter(servers.mongodbUri);
  const apps: AppProcess[] = [];
  try {
    console.log(
      `results day: ${students} students, MongoDB ${servers.mongoKind}, ${connections} connections × ${durationSeconds} s per load`,
    );
    const seedSeconds = await seed({ MONGODB_URI: servers.mongodbUri, MONGODB_DB: DB, REDIS_URL: servers.redisUrl });
    const appEnv = { MONGODB_URI: counter.uri, MONGODB_DB: DB, REDIS_URL: servers.redisUrl, ADMIN_TOKEN, CACHE_TTL_SECONDS: '3600' };

    const cached = await startAppProcess(appEnv);
    apps.push(cached);
    // (a) warm-up
    const warmStarted = process.hrtime.bigint();
    const warmRes = await fetch(`${cached.url}/students/cache/warm`, { method: 'POST', headers: admin });
    if (!warmRes.ok) throw new Error(`warm-up failed: ${warmRes.status} ${await warmRes.text()}`);
    const warm = (await warmRes.json()) as { count: number; stored: number; seconds: number; per_second: number };
    const warmWall = seconds(warmStarted);
    if (warm.count !== students) throw new Error(`warm-up read ${warm.count} students, expected ${students}`);

    // (b) cache warm: random existing registrations
    const randomPaths = randomIndices(20_000, students).map((i) => `/students/${registration(i)}`);
    await expectHeader(cached, randomPaths[0], 'HIT');
    const warmLoad = await load('cache warm (random registrations)', cached.url, randomPaths[0], {
      connections,
      durationSeconds,
      paths: randomPaths,
    });

    // (c) cache cold at release
    const releasePaths = randomIndices(RELEASE_REGISTRATIONS, students).map((i) => `/students/${registration(i)}`);
    const cleared = await fetch(`${cached.url}/cache`, { method: 'DELETE', headers: admin });
    if (!cleared.ok) throw new Error(`cache clear failed: ${cleared.status}`);
    const coldRelease = await release(cached, releasePaths, counter);
    await cached.stop();
    apps.pop();

    // (d) cache bypassed: the same loads
    const bypass = await startAppProcess({ ...appEnv, CACHE_ENABLED: 'false' });
    apps.push(bypass);
    await expectHeader(bypass, randomPaths[0], 'BYPASS');
    const bypassLoad = await load('cache bypassed (random registrations)', bypass.url, randomPaths[0], {
      connections,
      durationSeconds,
      paths: randomPaths,
    });
    const bypassRelease = await release(bypass, releasePaths, counter);

    printTable([warmLoad, bypassLoad], bypassLoad);
    const releaseRow = (name: string, r: typeof coldRelease): LoadResult & { finds: number } => ({
      name,
      rps: r.rps,
      p50_ms: r.p50_ms,
      p99_ms: r.p99_ms,
      non2xx: r.non2xx,
      errors: 0,
      finds: r.mongo_finds,
    });
    console.table([releaseRow('release, cache cold', coldRelease), releaseRow('release, cache bypassed', bypassRelease)]);
    console.log(
      `warm-up: ${warm.count} students in ${warm.seconds} s (${warm.per_second}/s; ${warmWall} s wall incl. HTTP). ` +
        `Release: ${RELEASE_REQUESTS} requests for ${RELEASE_REGISTRATIONS} registrations → ${coldRelease.mongo_finds} MongoDB finds with the cache, ` +
        `${bypassRelease.mongo_finds} without. Finds counted at the wire by a proxy in front of MongoDB.`,
    );
    console.log(
      JSON.stringify({
        bench: 'results-day',
        students,
        mongo: servers.mongoKind,
        connections,
        duration_s: durationSeconds,
        seed_s: seedSeconds,
        seed_docs_per_s: Math.round(students / seedSeconds),
        warmup: { count: warm.count, stored: warm.stored, seconds: warm.seconds, per_s: warm.per_second, wall_s: warmWall },
        warm: { rps: warmLoad.rps, p50_ms: warmLoad.p50_ms, p99_ms: warmLoad.p99_ms, non2xx: warmLoad.non2xx, errors: warmLoad.errors },
        bypassed: {
          rps: bypassLoad.rps,
          p50_ms: bypassLoad.p50_ms,
          p99_ms: bypassLoad.p99_ms,
          non2xx: bypassLoad.non2xx,
          errors: bypassLoad.errors,
        },
        warm_vs_bypassed_rps: ratio(warmLoad.rps, bypassLoad.rps),
        release: {
          registrations: RELEASE_REGISTRATIONS,
          connections: RELEASE_CONNECTIONS,
          cold: coldRelease,
          bypassed: bypassRelease,
          cold_finds_vs_registrations: ratio(coldRelease.mongo_finds, RELEASE_REGISTRATIONS),
        },
      }),
    );
  } finally {
    await Promise.allSettled(apps.map((a) => a.stop()));
    await counter.stop();
    await servers.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
