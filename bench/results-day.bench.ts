/**
 * Results day at national scale: N candidates (default 1,000,000) of one edition, invisible until
 * its instant, warmed before it, then a spike on two app instances sharing one MongoDB and one Redis.
 *   1. generate: `npm run cli -- seed students --count N --edition 2027-fuvest` (timed; MongoDB memory after)
 *   2. gate trials: small editions opened one after another while readers poll every route on both
 *      instances every 5 ms: results seen before the instant, "not published" after the first result
 *   3. warm-up: the edition is scheduled an hour ahead and warmed (Redis, then each instance's L1);
 *      Redis memory per warmed candidate against the answer's JSON size
 *   4. capacity: closed loop on public cached answers (the trials' results, each read until cached), both instances
 *   5. the instant is moved to a few seconds ahead; at it, an open-loop ramp from 0 to 80 % of that
 *      capacity within 5 s, held for the rest of the spike, over uniformly random registrations plus
 *      a hot tail (1 % of registrations get 50 % of reads); per second: rps, p50/p99, hit ratio per
 *      tier, MongoDB commands counted at the wire, 5xx, 429. The instant itself is one more trial.
 *   6. capacity again, closed loop on the edition's own (now public) registrations
 * Flags / env: --students N (RESULTS_DAY_STUDENTS), --spike S (RESULTS_DAY_SPIKE, seconds, default 30),
 * --trials T (RESULTS_DAY_TRIALS, default 10), --ttl S (RESULTS_DAY_TTL, the apps' CACHE_TTL_SECONDS, default 600),
 * RESULTS_DAY_NAME_PROBES=1|0 (gate trials probe by name too; default: up to 300,000 candidates),
 * --spike-rps R (RESULTS_DAY_SPIKE_RPS: a fixed spike rate instead of 80 % of the measured capacity; a diagnostic).
 * Quick run: npm run bench:results-day -- --students 20000 --spike 10 --trials 3
 * The last line printed is one JSON object with every figure.
 */
import Redis from 'ioredis';
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { MongoClient, type Collection } from 'mongodb';
import { generatedCpf } from '../src/students/cpf';
import type { Student } from '../src/students/schemas/student.schema';
import { finalScore } from '../src/students/scoring';
import { REGISTRATION_BASE } from '../src/students/seed/registration';
import { RATE_LIMITS_OFF } from '../src/infra/rate-limit/limits-off';
import { gateTrial, redisNow, TrialResult, untilRedisTime } from './results-day/gate-trial';
import { type LoadSecond, percentile, runLoad } from './lib/open-loop';
import { AppProcess, startAppProcess, startBenchServers } from './lib/servers';
import { startQueryCounter } from './results-day.query-counter';

const ADMIN_TOKEN = 'results-day-bench-admin-token';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
const DB = 'results_day';
const EDITION = '2027-fuvest';
const NOTICE_S = 2;
const RAMP_S = 5;
const SPIKE_SHARE = 0.8;

function option(flag: string, envName: string, fallback: number): number {
  const index = process.argv.indexOf(flag);
  const raw = index !== -1 ? process.argv[index + 1] : process.env[envName];
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) === 0) throw new Error(`${flag} / ${envName} must be a positive whole number, got "${raw}"`);
  return Number(raw);
}

const students = option('--students', 'RESULTS_DAY_STUDENTS', 1_000_000);
const spikeSeconds = option('--spike', 'RESULTS_DAY_SPIKE', 30);
const trials = option('--trials', 'RESULTS_DAY_TRIALS', 10);
/**
 * Gate trials probe by name too (GET /students/by-name/:name) up to 300,000 candidates. Above, by id
 * only: a by-name read before the instant is a miss, and the stand-in (no index but unique ones)
 * answers `{name, edition: {$in}}` by scanning every candidate under the collection's lock, so four
 * by-name readers made every reader wait (1.3 s between polls at 1M, against 5 ms asked). MongoDB
 * answers it from the {name: 1} index. RESULTS_DAY_NAME_PROBES=1 / 0 forces them on / off.
 */
const nameProbes = process.env.RESULTS_DAY_NAME_PROBES ? process.env.RESULTS_DAY_NAME_PROBES === '1' : students <= 300_000;
/**
 * A spike rate to use instead of 80 % of the measured capacity (RESULTS_DAY_SPIKE_RPS; 0 = the
 * measured one): a diagnostic, e.g. 80 % of the capacity a previous run measured after its spike on
 * the edition's own registrations. The JSON says which was used (spike_target_source).
 */
const spikeRpsOverride = (() => {
  const index = process.argv.indexOf('--spike-rps');
  const raw = index !== -1 ? process.argv[index + 1] : process.env.RESULTS_DAY_SPIKE_RPS;
  if (raw === undefined || raw === '0') return 0;
  if (!/^\d+$/.test(raw)) throw new Error(`--spike-rps / RESULTS_DAY_SPIKE_RPS must be a whole number, got "${raw}"`);
  return Number(raw);
})();
/** CACHE_TTL_SECONDS of the apps (a short one lets cached trial answers expire before the capacity step). */
const ttlSeconds = option('--ttl', 'RESULTS_DAY_TTL', 600);
const seconds = (since: bigint) => Math.round((Number(process.hrtime.bigint() - since) / 1e9) * 1000) / 1000;
const registration = (i: number) => String(REGISTRATION_BASE + i);
const rssMb = (pid?: number) => (pid ? Math.round(Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)]).toString()) / 1024) : null);
const usedMemory = async (redis: Redis) => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);

async function api(app: AppProcess, method: string, path: string, body?: unknown) {
  const res = await fetch(`${app.url}${path}`, { method, headers: admin, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

async function generate(env: Record<string, string>): Promise<number> {
  const started = process.hrtime.bigint();
  const cli = join(__dirname, '..', 'src', 'cli.js');
  const args = [cli, 'seed', 'students', '--count', String(students), '--seed', '42', '--reset', '--edition', EDITION];
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`seed exited with ${code}`))));
  });
  return seconds(started);
}

/**
 * Two candidates per trial edition, written straight to MongoDB (as an outside writer would; the
 * API's create re-ranks the course, a scan of every candidate in the stand-in): registrations 27…,
 * CPFs far past the generated ones.
 */
async function insertTrialCandidates(collection: Collection<Student>, trial: number) {
  const docs: Student[] = [0, 1].map((k) => {
    const n = trial * 10 + k;
    const scores = { languages: 600, human_sciences: 600, natural_sciences: 600, mathematics: 600, essay: 600 + k * 20 };
    return {
      _id: String(2_700_000_000 + n),
      edition: `trial-${trial}`,
      name: `Ensaio ${String.fromCharCode(65 + (n % 26))}${String.fromCharCode(97 + Math.floor(n / 26))} Publicacao`,
      cpf: generatedCpf(999_000_000 + n),
      email: `ensaio${n}@example.com`,
      birth_date: new Date('2007-05-14T00:00:00Z'),
      course: 'medicina',
      campus: 'Campinas',
      scores,
      final_score: finalScore(scores),
      classification: 2 - k,
      status: 'approved',
      published_at: new Date(),
    };
  });
  await collection.insertMany(docs);
  return docs.map((d) => ({ registration: d._id, name: d.name }));
}

const found = (status: number) => status === 200;

/**
 * Reads each path on each instance until it answers 200 from the cache (X-Cache: HIT); fails if one
 * does not within a few reads. Returns how many reads were misses (answers read from MongoDB).
 */
async function primeCached(urls: string[], paths: string[]) {
  let misses = 0;
  for (const url of urls) {
    for (const path of paths) {
      for (let attempt = 1; ; attempt++) {
        const res = await fetch(`${url}${path}`);
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${url}${path}: ${res.status} while priming the capacity paths`);
        if (res.headers.get('x-cache')?.toLowerCase() === 'hit') break;
        misses++;
        if (attempt === 5) throw new Error(`${url}${path}: not cached after ${attempt} reads`);
      }
    }
  }
  return { paths: paths.length * urls.length, misses };
}

/** Statuses and cache tiers of a load run's answers, summed over its seconds. */
function answersOf(run: LoadSecond[]) {
  const sum = { statuses: {} as Record<string, number>, l1: 0, l2: 0, miss: 0, none: 0, no_answer: 0 };
  for (const s of run) {
    for (const [code, n] of Object.entries(s.statuses)) sum.statuses[code] = (sum.statuses[code] ?? 0) + n;
    sum.l1 += s.tiers.l1;
    sum.l2 += s.tiers.l2;
    sum.miss += s.tiers.miss;
    sum.none += s.tiers.none;
    sum.no_answer += s.errors;
  }
  return sum;
}

async function main() {
  const servers = await startBenchServers({ mongoHeap: students > 300_000 ? '12g' : '3g', redisMaxmemory: '3gb' });
  const counter = await startQueryCounter(servers.mongodbUri);
  const redis = new Redis(servers.redisUrl);
  const mongo = await MongoClient.connect(servers.mongodbUri);
  const apps: AppProcess[] = [];
  try {
    console.log(
      `results day: ${students} candidates, MongoDB ${servers.mongoKind}, spike ${spikeSeconds} s, ${trials} gate trials ` +
        `(probes by id${nameProbes ? ' and by name' : ''}), CACHE_TTL_SECONDS ${ttlSeconds}`,
    );
    // 1. generate
    const generateSeconds = await generate({ MONGODB_URI: servers.mongodbUri, MONGODB_DB: DB, REDIS_URL: servers.redisUrl });
    const mongoRssAfterGenerate = rssMb(servers.mongoPid);
    console.log(`generated ${students} in ${generateSeconds} s; MongoDB stand-in RSS ${mongoRssAfterGenerate} MiB`);

    // Two instances as the results-day settings in docs/results-day.md have them: L1 sized for every
    // warmed answer, rate limits off here (all load comes from one address: see the doc for real clients).
    // About 1 KB per warmed answer as L1 counts it: ~430 B of JSON, its key and tag, and 512 B of
    // bookkeeping (ENTRY_OVERHEAD_BYTES); 1,100 B each leaves room for the trials' editions.
    const l1Bytes = Math.max(64 * 1024 * 1024, students * 1100);
    const appEnv = {
      MONGODB_URI: counter.uri,
      MONGODB_DB: DB,
      REDIS_URL: servers.redisUrl,
      ADMIN_TOKEN,
      ...RATE_LIMITS_OFF,
      RESULTS_PUBLISH_NOTICE_SECONDS: String(NOTICE_S),
      CACHE_TTL_SECONDS: String(ttlSeconds),
      CACHE_L1_MAX_BYTES: String(l1Bytes),
      CACHE_L1_MAX_ENTRIES: String(Math.ceil(students * 1.05) + 10_000),
      CACHE_L1_TTL_SECONDS: '3600',
      // The stand-in (a JVM holding every document on its heap, one GC thread) pauses for seconds
      // after a million inserts; with the default 750 ms deadline the first admin writes answered
      // 503. The spike itself never reaches MongoDB.
      MONGODB_OPERATION_TIMEOUT_MS: '10000',
    };
    const [a, b] = await Promise.all([startAppProcess(appEnv), startAppProcess(appEnv)]);
    apps.push(a, b);
    const urls = [a.url, b.url];

    // 2. gate trials, before the warm-up: each opening changes the set of visible editions
    const trialResults: TrialResult[] = [];
    const trialRegistrations: string[] = [];
    for (let t = 1; t <= trials; t++) {
      const made = await insertTrialCandidates(mongo.db(DB).collection<Student>('students'), t);
      trialRegistrations.push(...made.map((m) => m.registration));
      const result = await gateTrial({
        edition: `trial-${t}`,
        apps: urls,
        redis,
        pollMs: 5,
        afterMs: 1000,
        probes: made.flatMap((m) => [
          { path: `/students/${m.registration}`, published: found },
          ...(nameProbes ? [{ path: `/students/by-name/${encodeURIComponent(m.name)}`, published: found }] : []),
        ]),
        publish: async () => {
          const instant = (await redisNow(redis)) + NOTICE_S * 1000 + 600;
          await api(a, 'PUT', `/editions/trial-${t}/publication`, { publish_at: new Date(instant).toISOString() });
          return instant;
        },
      });
      trialResults.push(result);
      console.log(`trial ${t}: ${JSON.stringify(result)}`);
    }

    // 3. warm-up, an hour ahead of the instant
    await api(a, 'PUT', `/editions/${EDITION}/publication`, { publish_at: new Date((await redisNow(redis)) + 3600_000).toISOString() });
    const redisBefore = await usedMemory(redis);
    const warmStarted = process.hrtime.bigint();
    await api(a, 'POST', `/editions/${EDITION}/warm-up`);
    let warm: Record<string, unknown> = {};
    for (let stored = -1; ; await new Promise((r) => setTimeout(r, 1000))) {
      warm = await api(a, 'GET', `/editions/${EDITION}/warm-up`);
      if (warm.stored !== stored) console.log(`warm-up: ${String(warm.stored)}/${String(warm.total)} (${String(warm.per_second)}/s)`);
      stored = warm.stored as number;
      if (warm.status === 'failed') throw new Error(`warm-up failed: ${String(warm.error)}`);
      if (warm.status === 'done') break;
    }
    const warmWall = seconds(warmStarted);
    const redisAfter = await usedMemory(redis);
    for (let l1 = warm.l1 as { loaded: number; done: boolean; seconds: number }[]; ; await new Promise((r) => setTimeout(r, 1000))) {
      l1 = (await api(a, 'GET', `/editions/${EDITION}/warm-up`)).l1 as typeof l1;
      if (l1.length === 2 && l1.every((x) => x.done)) {
        warm.l1 = l1;
        break;
      }
    }
    const preloadWall = seconds(warmStarted);
    const bytesPerCandidate = Math.round((redisAfter - redisBefore) / (warm.stored as number));
    console.log(`warm-up: ${JSON.stringify(warm)}; Redis ${bytesPerCandidate} B per warmed candidate; L1 copies done at ${preloadWall} s`);
    const appRss = () => apps.map((app) => rssMb(app.pid));
    const rssAfterWarm = appRss();

    // 4. capacity on public cached answers. The trials' answers were cached before the warm-up and
    // may have expired since (CACHE_TTL_SECONDS; at 1M the warm-up once outlasted it): each path is
    // read on each instance until it answers from the cache, so the loop measures hits, not misses.
    const trialPaths = trialRegistrations.map((r) => `/students/${r}`);
    const primed = await primeCached(urls, trialPaths);
    console.log(`capacity paths read until cached: ${JSON.stringify(primed)}`);
    await runLoad({ mode: 'closed', targets: urls, socketsPerTarget: 32, durationSeconds: 1, path: () => trialPaths[0] });
    const probe = await runLoad({
      mode: 'closed',
      targets: urls,
      socketsPerTarget: 32,
      durationSeconds: 5,
      path: () => trialPaths[Math.floor(Math.random() * trialPaths.length)],
    });
    const capacity = Math.round(probe.reduce((sum, s) => sum + s.done, 0) / probe.length);
    const spikeRps = spikeRpsOverride || Math.round(capacity * SPIKE_SHARE);
    const capacityAnswers = answersOf(probe);
    console.log(
      `capacity (closed loop, public cached answers, both instances): ${capacity} rps; spike at ${spikeRps} rps; ` +
        `per second ${JSON.stringify(probe.map((s) => s.done))}; answers ${JSON.stringify(capacityAnswers)}`,
    );

    // 5. the instant, a few seconds ahead, and the spike at it
    const hot = Array.from({ length: Math.max(1, Math.round(students / 100)) }, () => Math.floor(Math.random() * students));
    const spikePath = () =>
      `/students/${registration(Math.random() < 0.5 ? hot[Math.floor(Math.random() * hot.length)] : Math.floor(Math.random() * students))}`;
    const watched = Array.from({ length: 2 }, () => Math.floor(Math.random() * students)).map(registration);
    let instant = 0;
    const mainTrial = gateTrial({
      edition: EDITION,
      apps: urls,
      redis,
      pollMs: 5,
      afterMs: 1000,
      probes: watched.map((r) => ({ path: `/students/${r}`, published: found })),
      publish: async () => {
        instant = (await redisNow(redis)) + NOTICE_S * 1000 + 1500;
        await api(a, 'PUT', `/editions/${EDITION}/publication`, { publish_at: new Date(instant).toISOString() });
        return instant;
      },
    });
    while (!instant) await new Promise((r) => setTimeout(r, 5));
    await untilRedisTime(redis, instant + 20);
    let last = counter.counts();
    const mongoPerSecond: Record<string, number>[] = [];
    const spike = await runLoad({
      mode: 'open',
      targets: urls,
      socketsPerTarget: 64,
      durationSeconds: spikeSeconds,
      peakRps: spikeRps,
      rampSeconds: RAMP_S,
      path: spikePath,
      onSecond: () => {
        const now = counter.counts();
        mongoPerSecond.push(
          Object.fromEntries(
            Object.entries(now)
              .map(([k, v]) => [k, v - (last[k] ?? 0)])
              .filter(([, v]) => v),
          ),
        );
        last = now;
      },
    });
    const instantTrial = await mainTrial;
    console.log(`the instant itself: ${JSON.stringify(instantTrial)}`);

    // 6. capacity on the edition's own registrations, now public
    const after = await runLoad({
      mode: 'closed',
      targets: urls,
      socketsPerTarget: 32,
      durationSeconds: 5,
      path: () => `/students/${registration(Math.floor(Math.random() * students))}`,
    });
    const capacityAfter = Math.round(after.reduce((sum, s) => sum + s.done, 0) / after.length);

    // Answer sizes: the JSON the routes send for a sample of registrations.
    let jsonBytes = 0;
    for (let i = 0; i < 500; i++)
      jsonBytes += (await (await fetch(`${a.url}/students/${registration(Math.floor(Math.random() * students))}`)).arrayBuffer())
        .byteLength;
    const answerJsonBytes = Math.round(jsonBytes / 500);

    // Figures per second of the spike, and over it.
    const studentCommands = (counts: Record<string, number>) =>
      Object.entries(counts)
        .filter(([k]) => k.endsWith(' students'))
        .reduce((sum, [, v]) => sum + v, 0);
    const rows = spike.map((s, i) => {
      const sorted = [...s.latencies].sort((x, y) => x - y);
      const hits = s.tiers.l1 + s.tiers.l2;
      const fives = Object.entries(s.statuses)
        .filter(([code]) => code.startsWith('5'))
        .reduce((sum, [, n]) => sum + n, 0);
      return {
        s: i + 1,
        due: s.due,
        rps: s.done,
        p50_ms: Math.round(percentile(sorted, 50) * 10) / 10,
        p99_ms: Math.round(percentile(sorted, 99) * 10) / 10,
        l1: Math.round((s.tiers.l1 / Math.max(1, s.done)) * 10_000) / 10_000,
        l2: Math.round((s.tiers.l2 / Math.max(1, s.done)) * 10_000) / 10_000,
        hit: Math.round((hits / Math.max(1, s.done)) * 10_000) / 10_000,
        mongo: studentCommands(mongoPerSecond[i] ?? {}),
        '5xx': fives,
        // No answer: the connection closed or failed under the request (a keep-alive close racing a send), or never sent.
        no_answer: s.errors,
        '429': s.statuses['429'] ?? 0,
        '404': s.statuses['404'] ?? 0,
      };
    });
    console.table(rows);
    const all = spike.flatMap((s) => s.latencies).sort((x, y) => x - y);
    const done = spike.reduce((sum, s) => sum + s.done, 0);
    const hits = spike.reduce((sum, s) => sum + s.tiers.l1 + s.tiers.l2, 0);
    const heldFrom = RAMP_S;
    const held = spike
      .slice(heldFrom)
      .flatMap((s) => s.latencies)
      .sort((x, y) => x - y);
    const allMongo = mongoPerSecond.reduce<Record<string, number>>((sum, c) => {
      for (const [k, v] of Object.entries(c)) sum[k] = (sum[k] ?? 0) + v;
      return sum;
    }, {});
    const trialsAll = [...trialResults, instantTrial];
    const figures = {
      bench: 'results-day',
      candidates: students,
      mongo: servers.mongoKind,
      generate_s: generateSeconds,
      generate_per_s: Math.round(students / generateSeconds),
      mongo_rss_mb_after_generate: mongoRssAfterGenerate,
      warm_s: warm.seconds,
      warm_per_s: warm.per_second,
      warm_wall_s: warmWall,
      warm_stored: warm.stored,
      warm_retried: warm.retried,
      l1_copies: warm.l1,
      l1_copies_done_wall_s: preloadWall,
      redis_bytes_per_candidate: bytesPerCandidate,
      answer_json_bytes: answerJsonBytes,
      redis_within_json_plus_100: bytesPerCandidate <= answerJsonBytes + 100,
      redis_used_mb_after_warm: Math.round(redisAfter / 1048576),
      app_rss_mb_after_warm: rssAfterWarm,
      capacity_rps: capacity,
      capacity_answers: capacityAnswers,
      capacity_primed: primed,
      spike_target_rps: spikeRps,
      spike_target_source: spikeRpsOverride ? 'override (--spike-rps)' : `${SPIKE_SHARE * 100} % of capacity_rps`,
      spike_share_of_capacity: Math.round((spikeRps / Math.max(1, capacity)) * 100) / 100,
      spike_s: spikeSeconds,
      spike_requests: done,
      spike_rps: Math.round(done / spikeSeconds),
      spike_p50_ms: Math.round(percentile(all, 50) * 10) / 10,
      spike_p99_ms: Math.round(percentile(all, 99) * 10) / 10,
      spike_p99_ms_after_ramp: Math.round(percentile(held, 99) * 10) / 10,
      spike_hit_ratio: Math.round((hits / Math.max(1, done)) * 1e5) / 1e5,
      spike_l1_ratio: Math.round((spike.reduce((sum, s) => sum + s.tiers.l1, 0) / Math.max(1, done)) * 1e5) / 1e5,
      spike_mongo_commands: studentCommands(allMongo),
      spike_mongo_commands_all: allMongo,
      spike_5xx: rows.reduce((sum, r) => sum + r['5xx'], 0),
      spike_no_answer: rows.reduce((sum, r) => sum + r.no_answer, 0),
      spike_429: rows.reduce((sum, r) => sum + r['429'], 0),
      spike_404: rows.reduce((sum, r) => sum + r['404'], 0),
      capacity_after_rps: capacityAfter,
      spike_share_of_capacity_after: Math.round((spikeRps / Math.max(1, capacityAfter)) * 100) / 100,
      trials: trialsAll.length,
      trial_answers: trialsAll.reduce((sum, t) => sum + t.answers, 0),
      trial_probes: nameProbes ? ['id', 'by-name'] : ['id'],
      trial_poll_interval_ms: Math.round((trialsAll.reduce((sum, t) => sum + t.pollIntervalMs, 0) / trialsAll.length) * 10) / 10,
      trials_saw_both_sides: trialsAll.every((t) => t.sawBothSides),
      seen_before_publish: trialsAll.reduce((sum, t) => sum + t.seenBefore, 0),
      unpublished_after_first: trialsAll.reduce((sum, t) => sum + t.unpublishedAfter, 0),
      per_second: rows,
    };
    console.log(JSON.stringify(figures));
  } finally {
    redis.disconnect();
    await mongo.close();
    await Promise.allSettled(apps.map((app) => app.stop()));
    await counter.stop();
    await servers.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
