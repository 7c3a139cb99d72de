/**
 * npm run bench:faults — staleness after acknowledged writes across two app instances on one
 * Redis and one MongoDB: from the moment a write is acknowledged to the moment the other
 * instance first answers the new value (polled back to back, after the reader had the old
 * value in its L1; measured to the sending of the first read that answered the new value, so
 * 0 means the reader's very first read after the acknowledgement was fresh). Phases:
 *   normal      PATCH /games/:id through A while autocannon reads games through A and B
 *   redis_hang  redis-server SIGSTOPped, a PATCH through A during the hang, SIGCONT after
 *               FAULTS_HANG_MS (the reader is polled throughout)
 *   crash_api   PATCH through a feed follower, kill -9 of that instance as soon as it answered
 *   crash_raw   the writer that dies before invalidating: a MongoDB update from a plain driver
 *               (nothing invalidates it), then kill -9 of a feed follower; only the change
 *               feed (the other follower, CACHE_FEED_FOLLOWERS=2 by default; with 1, the
 *               survivor once it takes the lease) can repair the reader
 * A killed instance is replaced before the next trial. One JSON line last.
 * Env: FAULTS_WRITES (40), FAULTS_TRIALS (5), FAULTS_HANG_MS (3000), BENCH_CONNECTIONS (8),
 * MONGODB_URI (else embedded stand-in with its oplog on).
 */
import autocannon from 'autocannon';
import { MongoClient, ObjectId } from 'mongodb';
import { startRedisServer } from '../src/infra/embedded/redis-server';
import { insertBenchGames } from './lib/games';
import { AppProcess, startAppProcess, startBenchServers } from './lib/servers';

const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const DB = 'bench_faults';
const GAMES = 100;
const GIVE_UP_MS = 30_000;
const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };

interface Trial {
  /**
   * Acknowledged write → the sending of the first read that answered the new value (the reads
   * are back to back, so an old answer can have been sent up to then); undefined: not within GIVE_UP_MS.
   */
  staleMs?: number;
  /** Old answers the reader gave after the acknowledgement. */
  staleAnswers: number;
}

async function main() {
  const writes = Number(process.env.FAULTS_WRITES ?? 40);
  const trials = Number(process.env.FAULTS_TRIALS ?? 5);
  const hangMs = Number(process.env.FAULTS_HANG_MS ?? 3000);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 8);
  const redis = await startRedisServer();
  process.env.REDIS_URL = redis.uri; // startBenchServers then starts only MongoDB
  const servers = await startBenchServers();
  const mongo = await MongoClient.connect(servers.mongodbUri);
  const apps: AppProcess[] = [];
  let hung = false;
  const resume = () => {
    if (hung) process.kill(redis.pid, 'SIGCONT');
    hung = false;
  };
  try {
    const games = mongo.db(DB).collection('games');
    const ids = await insertBenchGames(games, GAMES, 0);
    const env = { MONGODB_URI: servers.mongodbUri, MONGODB_DB: DB, REDIS_URL: redis.uri, ADMIN_TOKEN };
    const start = async () => {
      const app = await startAppProcess(env);
      apps.push(app);
      return app;
    };
    const a = await start();
    await waitFor(async () => (await feedState(a.url)) === 'following', 20_000, 'the first instance to lead the change feed');
    const b = await start();
    console.log(`MongoDB: ${servers.mongoKind}; ${GAMES} games; two instances, one Redis (pid ${redis.pid})`);

    let value = 0;
    /** Warms the reader's L1 with the current value, writes, then polls the reader until it answers the new one. */
    const trial = async (reader: AppProcess, id: string, write: (available: number) => Promise<void>, onAck?: () => void) => {
      await waitFor(async () => (await get(reader, id)).tier === 'l1', 10_000, `instance's L1 copy of ${id}`);
      const available = ++value;
      await write(available);
      const acked = performance.now();
      onAck?.();
      let staleAnswers = 0;
      while (performance.now() - acked < GIVE_UP_MS) {
        const sent = performance.now();
        const answer = await get(reader, id).catch(() => undefined);
        if (answer?.available === available) return { staleMs: sent - acked, staleAnswers };
        if (answer) staleAnswers++;
      }
      return { staleAnswers };
    };
    const patch = (app: AppProcess, id: string) => async (available: number) => {
      const res = await fetch(`${app.url}/games/${id}`, { method: 'PATCH', headers: admin, body: JSON.stringify({ available }) });
      if (!res.ok) throw new Error(`PATCH ${res.status}: ${await res.text()}`);
    };

    // 1. Normal operation, under read load on both instances.
    const paths = ids.map((id) => `/games/${id}`);
    const loads = [a, b].map((app) =>
      autocannon(
        {
          url: app.url,
          connections,
          duration: 3600,
          requests: [{ setupRequest: (req) => ({ ...req, path: paths[Math.floor(Math.random() * paths.length)] }) }],
        },
        () => undefined,
      ),
    );
    const normal: Trial[] = [];
    for (let i = 0; i < writes; i++) normal.push(await trial(b, ids[i % GAMES], patch(a, ids[i % GAMES])));
    for (const l of loads) l.stop();
    report('normal', normal);

    // 2. Redis hung during the write.
    const hang: Trial[] = [];
    for (let i = 0; i < trials; i++) {
      const id = ids[(writes + i) % GAMES];
      let resumeTimer: NodeJS.Timeout | undefined;
      hang.push(
        await trial(b, id, async (available) => {
          process.kill(redis.pid, 'SIGSTOP');
          hung = true;
          resumeTimer = setTimeout(resume, hangMs);
          await new Promise((r) => setTimeout(r, 200)); // mid-hang, not at its first instant
          await patch(a, id)(available);
        }),
      );
      await new Promise((r) => setTimeout(r, Math.max(0, hangMs)));
      clearTimeout(resumeTimer);
      resume();
      for (const app of [a, b]) await waitFor(async () => (await ready(app.url)) === 'closed', 20_000, 'the breaker to close');
    }
    report('redis_hang', hang);

    // 3. The writer killed (-9) right after its write was acknowledged; it led the change feed.
    const running = [a, b];
    const crash = async (raw: boolean, id: string): Promise<Trial> => {
      const states = await Promise.all(running.map((app) => feedState(app.url)));
      const leader = running[states.indexOf('following')] ?? running[0];
      const reader = running.find((app) => app !== leader)!;
      const result = await trial(
        reader,
        id,
        raw ? async (available) => void (await games.updateOne({ _id: new ObjectId(id) }, { $set: { available } })) : patch(leader, id),
        () => process.kill(leader.pid, 'SIGKILL'),
      );
      await leader.stop();
      running.splice(running.indexOf(leader), 1);
      running.push(await start());
      return result;
    };
    const crashApi: Trial[] = [];
    const crashRaw: Trial[] = [];
    for (let i = 0; i < trials; i++) {
      crashApi.push(await crash(false, ids[(writes + trials + 2 * i) % GAMES]));
      crashRaw.push(await crash(true, ids[(writes + trials + 2 * i + 1) % GAMES]));
    }
    report('crash_api', crashApi);
    report('crash_raw', crashRaw);

    const figures = {
      bench: 'faults',
      mongo: servers.mongoKind,
      instances: 2,
      read_connections_per_instance: connections,
      hang_ms: hangMs,
      ...summary('normal', normal),
      ...summary('redis_hang', hang),
      ...summary('crash_api', crashApi),
      ...summary('crash_raw', crashRaw),
    };
    console.log(JSON.stringify(figures));
  } finally {
    resume();
    await mongo.close();
    await Promise.allSettled(apps.map((app) => app.stop()));
    await servers.stop();
    await redis.stop();
  }
  process.exit(0);
}

async function get(app: AppProcess, id: string): Promise<{ available: number; tier?: string }> {
  const res = await fetch(`${app.url}/games/${id}`);
  if (!res.ok) throw new Error(`GET ${res.status}`);
  const body = (await res.json()) as { available: number };
  return { available: body.available, tier: res.headers.get('x-cache-tier') ?? undefined };
}

async function feedState(url: string): Promise<string | undefined> {
  const res = await fetch(`${url}/health`).catch(() => undefined);
  return res ? ((await res.json()) as { changeFeed?: string }).changeFeed : undefined;
}

async function ready(url: string): Promise<string | undefined> {
  const res = await fetch(`${url}/health/ready`).catch(() => undefined);
  return res ? ((await res.json()) as { breaker?: string }).breaker : undefined;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function quantiles(trials: Trial[]) {
  const ms = trials
    .map((t) => t.staleMs)
    .filter((v): v is number => v !== undefined)
    .sort((x, y) => x - y);
  const q = (p: number) => (ms.length ? Math.round(ms[Math.min(ms.length - 1, Math.floor(p * ms.length))] * 10) / 10 : null);
  return { n: trials.length, missed: trials.length - ms.length, p50: q(0.5), p99: q(0.99), max: q(1) };
}

function summary(name: string, trials: Trial[]) {
  const { n, missed, p50, p99, max } = quantiles(trials);
  return {
    [`${name}_n`]: n,
    [`${name}_p50_ms`]: p50,
    [`${name}_p99_ms`]: p99,
    [`${name}_max_ms`]: max,
    [`${name}_not_within_30s`]: missed,
    [`${name}_stale_answers_max`]: Math.max(0, ...trials.map((t) => t.staleAnswers)),
  };
}

function report(name: string, trials: Trial[]) {
  const q = quantiles(trials);
  console.log(
    `${name.padEnd(11)} n=${q.n} p50 ${q.p50} ms  p99 ${q.p99} ms  max ${q.max} ms  missed ${q.missed}  ` +
      `each: ${trials.map((t) => (t.staleMs === undefined ? 'x' : Math.round(t.staleMs))).join(' ')}`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
